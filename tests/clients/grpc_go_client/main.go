// grpc_go_client makes one unary gRPC call with grpc-go and prints the response bytes in hex.
//
// grpc-go (>= 1.18) waits for the server's SETTINGS frame before it sends HEADERS: through a mux
// that decides on HEADERS, this client hangs. The end-to-end tests run it against the shared port.
//
// The messages travel as raw bytes (a pass-through codec), so no generated Go code is needed:
//
//	grpc_go_client -addr 127.0.0.1:8080 -method /pkg.Service/Method -request 0a040a023432
//
// Exit status: 0 on success (stdout: "OK <seconds> <response hex>"), 1 on an RPC error, 2 on bad
// arguments.
package main

import (
	"context"
	"encoding/hex"
	"flag"
	"fmt"
	"os"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

// rawCodec passes messages through as bytes: the caller encodes and decodes them.
type rawCodec struct{}

func (rawCodec) Marshal(v interface{}) ([]byte, error) {
	b, ok := v.(*[]byte)
	if !ok {
		return nil, fmt.Errorf("rawCodec: want *[]byte, got %T", v)
	}
	return *b, nil
}

func (rawCodec) Unmarshal(data []byte, v interface{}) error {
	b, ok := v.(*[]byte)
	if !ok {
		return fmt.Errorf("rawCodec: want *[]byte, got %T", v)
	}
	*b = append((*b)[:0], data...)
	return nil
}

// Name is "proto" so that the content-type stays application/grpc+proto, as a stub would send.
func (rawCodec) Name() string { return "proto" }

func main() {
	addr := flag.String("addr", "", "server address, host:port")
	method := flag.String("method", "", "full method name, /package.Service/Method")
	requestHex := flag.String("request", "", "the serialized request, in hex")
	timeout := flag.Duration("timeout", 10*time.Second, "deadline of the call")
	flag.Parse()
	request, err := hex.DecodeString(*requestHex)
	if *addr == "" || *method == "" || err != nil {
		fmt.Fprintln(os.Stderr, "usage: grpc_go_client -addr host:port -method /pkg.Service/Method -request HEX")
		os.Exit(2)
	}

	start := time.Now()
	conn, err := grpc.Dial(*addr, grpc.WithInsecure())
	if err != nil {
		fmt.Printf("DIAL ERROR %.3f %v\n", time.Since(start).Seconds(), err)
		os.Exit(1)
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	var response []byte
	err = conn.Invoke(ctx, *method, &request, &response, grpc.ForceCodec(rawCodec{}))
	elapsed := time.Since(start).Seconds()
	if err != nil {
		st, _ := status.FromError(err)
		fmt.Printf("RPC ERROR %.3f code=%d %v\n", elapsed, st.Code(), err)
		os.Exit(1)
	}
	fmt.Printf("OK %.3f %s\n", elapsed, hex.EncodeToString(response))
}
