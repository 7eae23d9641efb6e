# Measures messages per second through one RabbitMQ queue, with the C client
# (mq-bench) and with pika (pika_bench.py), on the same broker in the same run.
#
#   run.py URL BIN_DIR OUT_CSV
#
# For each client and message size: 5 repetitions (QUICK=1 in the
# environment: fewer messages, still 5 repetitions); each starts a consumer,
# waits until it is ready, starts a producer, and takes the time from the
# producer's first message to the consumer's last. Writes the medians as
# mechanism,size,metric,value.
import os
import statistics
import subprocess
import sys
import uuid

url, bin_dir, out = sys.argv[1:4]
here = os.path.dirname(os.path.abspath(__file__))
quick = os.environ.get('QUICK') == '1'
clients = {
    'rabbitmq_c': ([os.path.join(bin_dir, 'mq-bench')], 2000 if quick else 20000),
    'rabbitmq_pika': (['/usr/bin/python3', os.path.join(here, 'pika_bench.py')], 1000 if quick else 5000),
}
sizes = [16] if quick else [16, 1024]
reps = 5

def once(cmd, count, size):
    queue = 'ipclabs-bench-' + uuid.uuid4().hex
    common = ['--url', url, '--queue', queue, '--count', str(count)]
    consumer = subprocess.Popen(cmd + ['consume'] + common, stdout=subprocess.PIPE, text=True)
    try:
        if consumer.stdout.readline().strip() != 'ready':
            sys.exit('bench: the consumer did not start')
        producer = subprocess.run(cmd + ['produce'] + common + ['--size', str(size)],
                                  stdout=subprocess.PIPE, text=True, check=True, timeout=120)
        start = int(producer.stdout.split()[1])
        end = int(consumer.stdout.readline().split()[1])
        consumer.wait(timeout=30)
    finally:
        if consumer.poll() is None:
            consumer.kill()
            consumer.wait()
    return count / ((end - start) / 1e9)

rows = []
for name, (cmd, count) in clients.items():
    for size in sizes:
        rates = [once(cmd, count, size) for _ in range(reps)]
        rate = statistics.median(rates)
        print('bench: %-14s %5d B  %9.0f msgs/s (median of %d: %s)'
              % (name, size, rate, reps, ' '.join('%.0f' % r for r in rates)))
        rows.append('%s,%d,msgs_per_s,%.0f' % (name, size, rate))
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, 'w') as f:
    f.write('mechanism,size,metric,value\n' + '\n'.join(rows) + '\n')
