// What `buf generate` produced, compiled and served: a Server with the generated routes of
// shop.proto and no service behind them routes GET /v1/items/{id} to gRPC, which answers
// UNIMPLEMENTED (501).
#include <cppgateway/server.h>
#include <httplib.h>

#include <iostream>

#include "shop/v1/shop.gw.h"

int main() {
  cppgateway::Server server;
  server.AddGateway(&shop::v1::RegisterShopServiceHandlers);
  const int port = server.Start("127.0.0.1:0");
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(10, 0);
  httplib::Result answer = client.Get("/v1/items/42");
  const int status = answer ? answer->status : 0;
  std::cout << "GET /v1/items/42: " << status << "\n";
  server.Shutdown();
  return status == 501 ? 0 : 1;
}
