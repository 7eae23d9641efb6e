/* Exercise 01.3: see confirm.h for the contract, and the chapter's README for hints. */
#include "confirm.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

int confirm_open(struct confirm_channel *cc, amqp_connection_state_t conn, amqp_channel_t ch)
{
    if (!cc || !conn)
        return -EINVAL;
    if (!amqp_confirm_select(conn, ch))
        return -EPROTO;
    *cc = (struct confirm_channel){.conn = conn, .ch = ch, .next_seq = 1};
    return 0;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Answer state of each message of this call. */
enum { PENDING, ACKED, NACKED };

/* Records an answer for tag (and, with multiple, every earlier message of
 * this call); returns how many messages it newly answered. */
static size_t record(unsigned char *state, size_t n, uint64_t first, uint64_t tag, int multiple, unsigned char what)
{
    if (tag < first)
        return 0; /* an answer to an earlier call */
    size_t last = (size_t)(tag - first), newly = 0;
    if (last >= n)
        last = n - 1; /* cannot happen with a correct broker: stay inside the array */
    for (size_t i = multiple ? 0 : last; i <= last; i++)
        if (state[i] == PENDING) {
            state[i] = what;
            newly++;
        }
    return newly;
}

int confirm_publish(struct confirm_channel *cc, const char *exchange, const char *routing_key,
                    const struct confirm_msg *msgs, size_t n, int timeout_ms, unsigned char *acked)
{
    if (!cc || !cc->conn || !exchange || !routing_key || (n && (!msgs || !acked)) || timeout_ms <= 0)
        return -EINVAL;
    if (n == 0)
        return 0;
    unsigned char *state = calloc(n, 1);
    if (!state)
        return -ENOMEM;

    const uint64_t first = cc->next_seq;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        amqp_bytes_t body = {.len = msgs[i].len, .bytes = (void *)msgs[i].body};
        if (amqp_basic_publish(cc->conn, cc->ch, amqp_cstring_bytes(exchange), amqp_cstring_bytes(routing_key), 0, 0,
                               NULL, body) != AMQP_STATUS_OK)
            rc = -EIO;
        else
            cc->next_seq++; /* the broker numbers every message it received on the channel */
    }

    size_t answered = 0, expected = (size_t)(cc->next_seq - first);
    const long long deadline = now_ms() + timeout_ms;
    while (answered < expected) {
        long long left = deadline - now_ms();
        if (left <= 0) {
            rc = -ETIMEDOUT;
            break;
        }
        struct timeval tv = {.tv_sec = left / 1000, .tv_usec = left % 1000 * 1000};
        amqp_frame_t frame;
        int status = amqp_simple_wait_frame_noblock(cc->conn, &frame, &tv);
        if (status == AMQP_STATUS_TIMEOUT)
            continue; /* the loop's check ends it */
        if (status != AMQP_STATUS_OK) {
            rc = -EPROTO;
            break;
        }
        if (frame.frame_type != AMQP_FRAME_METHOD)
            continue;
        amqp_method_t *m = &frame.payload.method;
        if (m->id == AMQP_BASIC_ACK_METHOD) {
            const amqp_basic_ack_t *a = m->decoded;
            answered += record(state, n, first, a->delivery_tag, a->multiple, ACKED);
        } else if (m->id == AMQP_BASIC_NACK_METHOD) {
            const amqp_basic_nack_t *a = m->decoded;
            answered += record(state, n, first, a->delivery_tag, a->multiple, NACKED);
        } else if (m->id == AMQP_CHANNEL_CLOSE_METHOD) {
            /* Answer the close, so the connection stays usable. */
            amqp_channel_close_ok_t ok = {0};
            amqp_send_method(cc->conn, frame.channel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
            rc = -EPROTO;
            break;
        } else if (m->id == AMQP_CONNECTION_CLOSE_METHOD) {
            rc = -EPROTO;
            break;
        }
    }

    int confirmed = 0;
    for (size_t i = 0; i < n; i++) {
        acked[i] = state[i] == ACKED;
        confirmed += acked[i];
    }
    free(state);
    return rc ? rc : confirmed;
}
