# 消费者
import os
import mmap
import time
with open('data.txt', 'r+b') as f:
    mm = mmap.mmap(f.fileno(), 0)
    print(mm.read())
    time.sleep(1)
