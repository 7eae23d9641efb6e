# 生产者
import os
import mmap
import time
with open('data.txt', 'w') as f:
    f.write('Hello World!')
with open('data.txt', 'r+b') as f:
    mm = mmap.mmap(f.fileno(), 0)
    mm.seek(4)
    mm.write(b'Hello Again!')
    time.sleep(1)
