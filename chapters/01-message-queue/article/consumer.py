# The article's consumer, as printed there (section 1.3), with the
# indentation restored. Only the connection parameters differ: AMQP_URL,
# when set, points it at another broker (the course's private one);
# otherwise it uses 'localhost', as in the article.
import os
import pika
parameters = pika.URLParameters(os.environ['AMQP_URL']) if os.environ.get('AMQP_URL') else pika.ConnectionParameters('localhost')
connection = pika.BlockingConnection(parameters)
channel = connection.channel()
channel.queue_declare(queue='hello')
def callback(ch, method, properties, body):
    print(" [x] Received %r" % body)
channel.basic_consume(queue='hello', on_message_callback=callback)
print(' [*] Waiting for messages. To exit press CTRL+C')
channel.start_consuming()
