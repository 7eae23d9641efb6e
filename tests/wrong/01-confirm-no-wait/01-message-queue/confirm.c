/* Wrong answer to 01.3: turns confirms on, then does not wait for them,
 * taking "sent" for "the broker has it". */
#include "confirm.h"

#include <errno.h>

int confirm_open(struct confirm_channel *cc, amqp_connection_state_t conn, amqp_channel_t ch)
{
    if (!amqp_confirm_select(conn, ch))
        return -EPROTO;
    *cc = (struct confirm_channel){.conn = conn, .ch = ch, .next_seq = 1};
    return 0;
}

int confirm_publish(struct confirm_channel *cc, const char *exchange, const char *routing_key,
                    const struct confirm_msg *msgs, size_t n, int timeout_ms, unsigned char *acked)
{
    (void)timeout_ms;
    for (size_t i = 0; i < n; i++) {
        amqp_bytes_t body = {.len = msgs[i].len, .bytes = (void *)msgs[i].body};
        if (amqp_basic_publish(cc->conn, cc->ch, amqp_cstring_bytes(exchange), amqp_cstring_bytes(routing_key), 0, 0,
                               NULL, body) != AMQP_STATUS_OK)
            return -EIO;
        cc->next_seq++;
        acked[i] = 1;
    }
    return (int)n;
}
