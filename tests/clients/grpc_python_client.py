#!/usr/bin/python3
"""Makes one unary gRPC call with python3-grpcio (gRPC C-core) and prints the response in hex.

The C-core client waits for the server's SETTINGS frame before it sends HEADERS: through a mux that
decides on HEADERS, it hangs. The end-to-end tests run it against the shared port. Messages travel
as raw bytes (no serializer), so no generated code is needed.

usage: /usr/bin/python3 grpc_python_client.py HOST:PORT /pkg.Service/Method REQUEST_HEX [TIMEOUT_S]
Exit status: 0 on success (stdout: "OK <seconds> <response hex>"), 1 on an RPC error, 2 on bad
arguments. Debian's python3-grpcio belongs to /usr/bin/python3.
"""
import sys
import time

import grpc


def main(argv):
    if len(argv) not in (4, 5):
        print(__doc__, file=sys.stderr)
        return 2
    address, method, request_hex = argv[1], argv[2], argv[3]
    timeout = float(argv[4]) if len(argv) == 5 else 10.0
    request = bytes.fromhex(request_hex)
    start = time.monotonic()
    with grpc.insecure_channel(address) as channel:
        call = channel.unary_unary(method, request_serializer=None, response_deserializer=None)
        try:
            response = call(request, timeout=timeout)
        except grpc.RpcError as error:
            print("RPC ERROR %.3f code=%s %s" % (time.monotonic() - start, error.code(),
                                                 error.details()))
            return 1
    print("OK %.3f %s" % (time.monotonic() - start, response.hex()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
