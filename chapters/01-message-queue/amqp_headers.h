/**
 * @file amqp_headers.h
 * @brief rabbitmq-c's headers, from wherever this system's librabbitmq keeps them.
 *
 * librabbitmq 0.12 and later (Debian 13 has 0.15) install their headers as
 * <rabbitmq-c/amqp.h> and <rabbitmq-c/tcp_socket.h>, and keep the old
 * <amqp.h> only as a shim that warns it is deprecated; 0.11 (Debian 12) has
 * the old names only. Every file of the course includes this header instead of
 * naming either, so the same code builds warning-free on both.
 */
#ifndef IPC_AMQP_HEADERS_H
#define IPC_AMQP_HEADERS_H

#if __has_include(<rabbitmq-c/amqp.h>)
#include <rabbitmq-c/amqp.h>
#include <rabbitmq-c/tcp_socket.h>
#else
#include <amqp.h>
#include <amqp_tcp_socket.h>
#endif

#endif
