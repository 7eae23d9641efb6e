# One side of the chapter's throughput measurement, with pika, written the
# way the article writes its programs (BlockingConnection, basic_publish,
# basic_consume with a callback); the consumer acknowledges automatically,
# like mq-bench. Same arguments and output as mq-bench (see mq-bench.c).
import sys
import time
import pika

def main():
    role, args = sys.argv[1], dict(zip(sys.argv[2::2], sys.argv[3::2]))
    url, queue, count = args['--url'], args['--queue'], int(args['--count'])
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    if role == 'produce':
        body = b'x' * int(args.get('--size', '16'))
        print('start %d' % time.monotonic_ns(), flush=True)
        for _ in range(count):
            channel.basic_publish(exchange='', routing_key=queue, body=body)
    else:
        channel.queue_declare(queue=queue, auto_delete=True)
        received = 0
        def callback(ch, method, properties, body):
            nonlocal received
            received += 1
            if received == count:
                print('end %d' % time.monotonic_ns(), flush=True)
                ch.stop_consuming()
        channel.basic_consume(queue=queue, on_message_callback=callback, auto_ack=True)
        print('ready', flush=True)
        channel.start_consuming()
    connection.close()

main()
