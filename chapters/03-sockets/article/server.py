# The article's TCP server (section 三), verbatim but for two things: the
# indentation the article's text lost, and the port, which is taken from the
# command line (default 9999, as in the article) so tests can use a free one.
#   /usr/bin/python3 server.py [PORT]
import sys
PORT = int(sys.argv[1]) if len(sys.argv) > 1 else 9999

# 服务器端
import socket
server_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
server_socket.bind(('localhost', PORT))
server_socket.listen(5)
while True:
    client_socket, addr = server_socket.accept()
    print(f"Connected by {addr}")
    client_socket.sendall(b'Hello, world!')
    client_socket.close()
