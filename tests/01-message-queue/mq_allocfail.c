/* rabbitmq-c's own allocating functions fail on demand too (allocfail.h):
 * an answer may copy a name with amqp_bytes_malloc_dup(), whose malloc()
 * inside the shared library no --wrap reaches. Like the library's, a
 * failed buffer keeps its length and has no bytes. */
#include "allocfail.h"
#include "amqp_headers.h"

amqp_bytes_t __real_amqp_bytes_malloc(size_t amount);
amqp_bytes_t __real_amqp_bytes_malloc_dup(amqp_bytes_t src);
amqp_bytes_t __wrap_amqp_bytes_malloc(size_t amount);
amqp_bytes_t __wrap_amqp_bytes_malloc_dup(amqp_bytes_t src);

amqp_bytes_t __wrap_amqp_bytes_malloc(size_t amount)
{
    if (allocfail_take())
        return (amqp_bytes_t){.len = amount, .bytes = NULL};
    return __real_amqp_bytes_malloc(amount);
}

amqp_bytes_t __wrap_amqp_bytes_malloc_dup(amqp_bytes_t src)
{
    if (allocfail_take())
        return (amqp_bytes_t){.len = src.len, .bytes = NULL};
    return __real_amqp_bytes_malloc_dup(src);
}
