# The article's TCP client (section 三), verbatim but for two things: the
# indentation the article's text lost, and the port, which is taken from the
# command line (default 9999, as in the article) so tests can use a free one.
#   /usr/bin/python3 client.py [PORT]
import sys
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 9999

# 客户端
import socket
client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client_socket.connect(('localhost', PORT))
data = client_socket.recv(1024)
print(data.decode())
client_socket.close()
