#include "cppgateway/router.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace cppgateway {
namespace {

using Result = Router::Match::Result;

PathTemplate MustParse(const std::string& text) {
  std::string error;
  std::optional<PathTemplate> parsed = PathTemplate::Parse(text, &error);
  if (!parsed) ADD_FAILURE() << text << ": " << error;
  return parsed.value_or(PathTemplate());
}

struct Route {
  std::string method;
  std::string path_template;
  Router::RouteId id;
};

Router MakeRouter(const std::vector<Route>& routes) {
  Router router;
  for (const Route& route : routes)
    router.Add(route.method, MustParse(route.path_template), route.id);
  return router;
}

// The routes in registration order, and reversed: specificity must not depend on it.
std::vector<Router> BothOrders(std::vector<Route> routes) {
  std::vector<Router> routers;
  routers.push_back(MakeRouter(routes));
  std::reverse(routes.begin(), routes.end());
  routers.push_back(MakeRouter(routes));
  return routers;
}

// The route found for a request, or -1 (with a failure) when none is.
int Found(const Router& router, const std::string& method, const std::string& path) {
  Router::Match match = router.Lookup(method, path);
  if (match.result != Result::kFound) {
    ADD_FAILURE() << method << " " << path << " found nothing (result "
                  << static_cast<int>(match.result) << ")";
    return -1;
  }
  return static_cast<int>(match.route);
}

// The bindings of a request that must be found, as "field.path=value" strings.
std::vector<std::string> Bindings(const Router& router, const std::string& method,
                                  const std::string& path) {
  Router::Match match = router.Lookup(method, path);
  EXPECT_EQ(match.result, Result::kFound) << method << " " << path;
  std::vector<std::string> bindings;
  for (const PathBinding& binding : match.bindings) {
    std::string field;
    for (const std::string& name : binding.field_path) field += (field.empty() ? "" : ".") + name;
    bindings.push_back(field + "=" + binding.value);
  }
  return bindings;
}

using Strings = std::vector<std::string>;

TEST(RouterTest, LiteralRoutes) {
  Router router = MakeRouter({{"GET", "/v1/users", 1}, {"GET", "/v1/groups", 2}, {"GET", "/", 3}});
  EXPECT_EQ(Found(router, "GET", "/v1/users"), 1);
  EXPECT_EQ(Found(router, "GET", "/v1/groups"), 2);
  EXPECT_EQ(Found(router, "GET", "/"), 3);
  EXPECT_EQ(router.Lookup("GET", "/v1").result, Result::kNotFound);
  EXPECT_EQ(router.Lookup("GET", "/v1/users/x").result, Result::kNotFound);
  EXPECT_EQ(router.Lookup("GET", "/v1/users/").result, Result::kNotFound);
  EXPECT_EQ(router.Lookup("GET", "/v1//users").result, Result::kNotFound);
  EXPECT_EQ(router.Lookup("GET", "//").result, Result::kNotFound);
  EXPECT_EQ(router.Lookup("GET", "/V1/users").result, Result::kNotFound);
}

TEST(RouterTest, EmptyRouterFindsNothing) {
  Router router;
  EXPECT_EQ(router.Lookup("GET", "/").result, Result::kNotFound);
  EXPECT_EQ(router.Lookup("GET", "/a/b").result, Result::kNotFound);
}

TEST(RouterTest, SingleVariableBinding) {
  Router router = MakeRouter({{"GET", "/v1/users/{id}", 1}, {"GET", "/v1/{a.b}/x/{c}", 2}});
  EXPECT_EQ(Bindings(router, "GET", "/v1/users/42"), Strings{"id=42"});
  EXPECT_EQ(Bindings(router, "GET", "/v1/p/x/q"), (Strings{"a.b=p", "c=q"}));
}

TEST(RouterTest, VariablesDoNotMatchEmptySegments) {
  Router router = MakeRouter({{"GET", "/v1/users/{id}", 1}, {"GET", "/v1/*/items", 2}});
  EXPECT_EQ(router.Lookup("GET", "/v1/users/").result, Result::kNotFound);
  EXPECT_EQ(router.Lookup("GET", "/v1//items").result, Result::kNotFound);
}

TEST(RouterTest, LiteralBeatsVariableInBothOrders) {
  for (const Router& router :
       BothOrders({{"GET", "/v1/users/me", 1}, {"GET", "/v1/users/{id}", 2}})) {
    EXPECT_EQ(Found(router, "GET", "/v1/users/me"), 1);
    EXPECT_EQ(Found(router, "GET", "/v1/users/you"), 2);
  }
}

TEST(RouterTest, StarBeatsDoubleStarInBothOrders) {
  for (const Router& router : BothOrders(
           {{"GET", "/v1/{name=**}", 1}, {"GET", "/v1/{id}", 2}, {"GET", "/v1/items/{id}", 3}})) {
    EXPECT_EQ(Found(router, "GET", "/v1/a"), 2);
    EXPECT_EQ(Found(router, "GET", "/v1/items/a"), 3);
    EXPECT_EQ(Found(router, "GET", "/v1/a/b"), 1);
    EXPECT_EQ(Found(router, "GET", "/v1/items/a/b"), 1);
  }
}

TEST(RouterTest, SpecificityIsDecidedSegmentBySegment) {
  for (const Router& router :
       BothOrders({{"GET", "/v1/{a}/b/c", 1}, {"GET", "/v1/a/{b}/{c}", 2}, {"GET", "/v1/**", 3}})) {
    // The literal "a" in the second segment wins over `*`, though the other has more literals.
    EXPECT_EQ(Found(router, "GET", "/v1/a/b/c"), 2);
    EXPECT_EQ(Found(router, "GET", "/v1/x/b/c"), 1);
    EXPECT_EQ(Found(router, "GET", "/v1/x/b/d"), 3);
  }
}

TEST(RouterTest, BacktracksWhenTheSpecificBranchDeadEnds) {
  for (const Router& router : BothOrders({{"GET", "/v1/users/me/profile", 1},
                                          {"GET", "/v1/users/{id}/settings", 2},
                                          {"GET", "/v1/{name=**}", 3}})) {
    EXPECT_EQ(Found(router, "GET", "/v1/users/me/profile"), 1);
    EXPECT_EQ(Found(router, "GET", "/v1/users/me/settings"), 2);
    EXPECT_EQ(Bindings(router, "GET", "/v1/users/me/settings"), Strings{"id=me"});
    EXPECT_EQ(Found(router, "GET", "/v1/users/me/other"), 3);
    EXPECT_EQ(Bindings(router, "GET", "/v1/users/me/other"), Strings{"name=users/me/other"});
  }
}

TEST(RouterTest, MethodBacktracksToLessSpecificRoute) {
  for (const Router& router : BothOrders({{"GET", "/v1/users/me", 1},
                                          {"GET", "/v1/users/{id}", 2},
                                          {"DELETE", "/v1/users/{id}", 3}})) {
    EXPECT_EQ(Found(router, "GET", "/v1/users/me"), 1);
    EXPECT_EQ(Found(router, "DELETE", "/v1/users/me"), 3);
    EXPECT_EQ(Bindings(router, "DELETE", "/v1/users/me"), Strings{"id=me"});
  }
}

TEST(RouterTest, DoubleStarMatchesZeroOrMoreSegments) {
  Router router = MakeRouter({{"GET", "/v1/{name=**}", 1}, {"GET", "/files/**", 2}});
  EXPECT_EQ(Bindings(router, "GET", "/v1/a"), Strings{"name=a"});
  EXPECT_EQ(Bindings(router, "GET", "/v1/a/b/c"), Strings{"name=a/b/c"});
  EXPECT_EQ(Bindings(router, "GET", "/v1"), Strings{"name="});
  EXPECT_EQ(Found(router, "GET", "/files"), 2);
  EXPECT_EQ(Found(router, "GET", "/files/x/y"), 2);
  EXPECT_EQ(router.Lookup("GET", "/v2/a").result, Result::kNotFound);
}

TEST(RouterTest, DoubleStarFollowedByLiterals) {
  for (const Router& router : BothOrders({{"GET", "/v1/{name=**}/versions", 1},
                                          {"GET", "/v1/{name=**}/versions/latest", 2},
                                          {"GET", "/v1/{name=**}", 3}})) {
    EXPECT_EQ(Found(router, "GET", "/v1/a/b/versions"), 1);
    EXPECT_EQ(Bindings(router, "GET", "/v1/a/b/versions"), Strings{"name=a/b"});
    EXPECT_EQ(Bindings(router, "GET", "/v1/a/versions/latest"), Strings{"name=a"});
    EXPECT_EQ(Found(router, "GET", "/v1/a/versions/latest"), 2);
    EXPECT_EQ(Found(router, "GET", "/v1/versions/versions"), 1);
    EXPECT_EQ(Bindings(router, "GET", "/v1/versions/versions"), Strings{"name=versions"});
    EXPECT_EQ(Found(router, "GET", "/v1/a/versions/x"), 3);
    EXPECT_EQ(Bindings(router, "GET", "/v1/a/versions/x"), Strings{"name=a/versions/x"});
  }
}

TEST(RouterTest, VariableWithPrefixAndDoubleStar) {
  Router router = MakeRouter({{"GET", "/v1/{name=projects/*/files/**}", 1}});
  EXPECT_EQ(Bindings(router, "GET", "/v1/projects/p/files/a/b"),
            Strings{"name=projects/p/files/a/b"});
  EXPECT_EQ(Bindings(router, "GET", "/v1/projects/p/files"), Strings{"name=projects/p/files"});
  EXPECT_EQ(router.Lookup("GET", "/v1/projects/p/docs/a").result, Result::kNotFound);
}

TEST(RouterTest, DoubleStarFollowedByLiteralsInsideAVariable) {
  for (const Router& router : BothOrders({{"GET", "/a/{b=c/**/d}/e:verb", 1},
                                          {"GET", "/{x=a/**/b}/c", 2},
                                          {"GET", "/v1/{name=**/x}", 3}})) {
    EXPECT_EQ(Found(router, "GET", "/a/c/d/e:verb"), 1);
    EXPECT_EQ(Bindings(router, "GET", "/a/c/d/e:verb"), Strings{"b=c/d"});
    EXPECT_EQ(Bindings(router, "GET", "/a/c/1/2/d/e:verb"), Strings{"b=c/1/2/d"});
    EXPECT_EQ(router.Lookup("GET", "/a/c/1/e:verb").result, Result::kNotFound);
    EXPECT_EQ(router.Lookup("GET", "/a/c/d/e").result, Result::kNotFound);
    EXPECT_EQ(Bindings(router, "GET", "/a/b/c"), Strings{"x=a/b"});
    EXPECT_EQ(Bindings(router, "GET", "/a/1/b/c"), Strings{"x=a/1/b"});
    EXPECT_EQ(Bindings(router, "GET", "/a/b/b/c"), Strings{"x=a/b/b"});
    // A leading `**` that matches nothing: the value starts at the literal, not at a slash.
    EXPECT_EQ(Bindings(router, "GET", "/v1/x"), Strings{"name=x"});
    EXPECT_EQ(Bindings(router, "GET", "/v1/p/q/x"), Strings{"name=p/q/x"});
    EXPECT_EQ(Bindings(router, "GET", "/v1/p%2Fq/x"), Strings{"name=p%2Fq/x"});
  }
}

TEST(RouterTest, VerbsWithColonsAndTheirShorterSuffixes) {
  for (const Router& router : BothOrders({{"POST", "/v1/things/{uuid}:custom", 1},
                                          {"POST", "/v1/things/{uuid}:custom:custom", 2},
                                          {"GET", "/v1/things/{uuid}", 3}})) {
    EXPECT_EQ(Found(router, "POST", "/v1/things/u1:custom"), 1);
    EXPECT_EQ(Bindings(router, "POST", "/v1/things/u1:custom"), Strings{"uuid=u1"});
    // The longest verb first: the colons belong to the verb, not to the value.
    EXPECT_EQ(Found(router, "POST", "/v1/things/u1:custom:custom"), 2);
    EXPECT_EQ(Bindings(router, "POST", "/v1/things/u1:custom:custom"), Strings{"uuid=u1"});
    EXPECT_EQ(Bindings(router, "POST", "/v1/things/a:b:custom:custom"), Strings{"uuid=a:b"});
    EXPECT_EQ(Bindings(router, "GET", "/v1/things/u1:custom:custom"),
              Strings{"uuid=u1:custom:custom"});
    Router::Match match = router.Lookup("PUT", "/v1/things/u1:custom:custom");
    EXPECT_EQ(match.result, Result::kMethodNotAllowed);
    EXPECT_EQ(match.allowed_methods, (Strings{"GET", "HEAD", "POST"}));
  }
}

TEST(RouterTest, CustomVerbs) {
  for (const Router& router : BothOrders({{"GET", "/v1/metrics:query", 1},
                                          {"POST", "/v1/{name=shelves/*}:publish", 2},
                                          {"POST", "/v1/{name=shelves/*}", 3},
                                          {"GET", "/v1/users/{id}", 4}})) {
    EXPECT_EQ(Found(router, "GET", "/v1/metrics:query"), 1);
    EXPECT_EQ(Found(router, "POST", "/v1/shelves/s1:publish"), 2);
    EXPECT_EQ(Bindings(router, "POST", "/v1/shelves/s1:publish"), Strings{"name=shelves/s1"});
    EXPECT_EQ(Found(router, "POST", "/v1/shelves/s1"), 3);
    // A colon that is no registered verb belongs to the segment.
    EXPECT_EQ(Bindings(router, "GET", "/v1/users/a:b"), Strings{"id=a:b"});
    EXPECT_EQ(Bindings(router, "GET", "/v1/users/a:b:c"), Strings{"id=a:b:c"});
    // A registered verb that leads nowhere: the whole segment is tried too.
    EXPECT_EQ(Bindings(router, "GET", "/v1/users/a:publish"), Strings{"id=a:publish"});
    EXPECT_EQ(Bindings(router, "POST", "/v1/shelves/s1:query"), Strings{"name=shelves/s1:query"});
    // The metrics route has a verb: without it, it does not match, and a wrong verb neither.
    EXPECT_EQ(router.Lookup("GET", "/v1/metrics").result, Result::kNotFound);
    EXPECT_EQ(router.Lookup("GET", "/v1/metrics:publish").result, Result::kNotFound);
    // A ':' in an earlier segment is no verb.
    EXPECT_EQ(router.Lookup("GET", "/v1/metrics:query/x").result, Result::kNotFound);
    // An escaped ':' does not split off a verb.
    EXPECT_EQ(router.Lookup("GET", "/v1/metrics%3Aquery").result, Result::kNotFound);
  }
}

TEST(RouterTest, VerbAfterDoubleStar) {
  Router router = MakeRouter({{"POST", "/v1/{name=**}:undelete", 1}, {"GET", "/v1/{name=**}", 2}});
  EXPECT_EQ(Found(router, "POST", "/v1/a/b:undelete"), 1);
  EXPECT_EQ(Bindings(router, "POST", "/v1/a/b:undelete"), Strings{"name=a/b"});
  EXPECT_EQ(Bindings(router, "GET", "/v1/a/b:undelete"), Strings{"name=a/b:undelete"});
}

TEST(RouterTest, VerbAndDoubleStarWithTrailingLiteral) {
  Router router = MakeRouter({{"POST", "/v1/{name=**}/versions:restore", 1}});
  EXPECT_EQ(Bindings(router, "POST", "/v1/a/b/versions:restore"), Strings{"name=a/b"});
  EXPECT_EQ(router.Lookup("POST", "/v1/a/b/versions").result, Result::kNotFound);
}

TEST(RouterTest, MethodNotAllowedListsTheMethodsOfThePath) {
  for (const Router& router : BothOrders({{"GET", "/v1/users/{id}", 1},
                                          {"DELETE", "/v1/users/{id}", 2},
                                          {"PATCH", "/v1/users/me", 3},
                                          {"POST", "/v1/users", 4},
                                          {"PUT", "/v1/**", 5}})) {
    Router::Match match = router.Lookup("POST", "/v1/users/me");
    EXPECT_EQ(match.result, Result::kMethodNotAllowed);
    EXPECT_EQ(match.allowed_methods, (Strings{"DELETE", "GET", "HEAD", "PATCH", "PUT"}));

    match = router.Lookup("GET", "/v1/users");
    EXPECT_EQ(match.result, Result::kMethodNotAllowed);
    EXPECT_EQ(match.allowed_methods, (Strings{"POST", "PUT"}));
  }
}

TEST(RouterTest, MethodNotAllowedDeduplicates) {
  Router router = MakeRouter({{"GET", "/v1/{a}", 1}, {"GET", "/v1/x", 2}, {"GET", "/v1/**", 3}});
  Router::Match match = router.Lookup("POST", "/v1/x");
  EXPECT_EQ(match.result, Result::kMethodNotAllowed);
  EXPECT_EQ(match.allowed_methods, (Strings{"GET", "HEAD"}));
}

TEST(RouterTest, MethodNotAllowedConsidersBothVerbReadings) {
  Router router = MakeRouter({{"POST", "/v1/{name}:run", 1}, {"GET", "/v1/{name}", 2}});
  Router::Match match = router.Lookup("DELETE", "/v1/job:run");
  EXPECT_EQ(match.result, Result::kMethodNotAllowed);
  EXPECT_EQ(match.allowed_methods, (Strings{"GET", "HEAD", "POST"}));
}

TEST(RouterTest, NotFoundWhenNoTemplateMatches) {
  Router router = MakeRouter({{"GET", "/v1/users/{id}", 1}});
  Router::Match match = router.Lookup("POST", "/v1/groups/1");
  EXPECT_EQ(match.result, Result::kNotFound);
  EXPECT_TRUE(match.allowed_methods.empty());
}

TEST(RouterTest, HeadFallsBackToGet) {
  Router router = MakeRouter({{"GET", "/v1/users/{id}", 1},
                              {"GET", "/v1/items/{id}", 2},
                              {"HEAD", "/v1/items/{id}", 3},
                              {"GET", "/v1/things/me", 4},
                              {"HEAD", "/v1/things/{id}", 5},
                              {"POST", "/v1/posts", 6}});
  EXPECT_EQ(Found(router, "HEAD", "/v1/users/1"), 1);
  EXPECT_EQ(Bindings(router, "HEAD", "/v1/users/1"), Strings{"id=1"});
  EXPECT_EQ(Found(router, "HEAD", "/v1/items/1"), 3);
  // A HEAD route of the path wins over a more specific GET one.
  EXPECT_EQ(Found(router, "HEAD", "/v1/things/me"), 5);
  Router::Match match = router.Lookup("HEAD", "/v1/posts");
  EXPECT_EQ(match.result, Result::kMethodNotAllowed);
  EXPECT_EQ(match.allowed_methods, Strings{"POST"});
  EXPECT_EQ(router.Lookup("HEAD", "/v1/none").result, Result::kNotFound);
}

TEST(RouterTest, CustomMethodNames) {
  Router router = MakeRouter({{"PURGE", "/cache/{key}", 1}});
  EXPECT_EQ(Found(router, "PURGE", "/cache/k"), 1);
  EXPECT_EQ(router.Lookup("purge", "/cache/k").result, Result::kMethodNotAllowed);
}

TEST(RouterTest, MalformedEscapesAreBadPaths) {
  Router router = MakeRouter({{"GET", "/v1/{name=**}", 1}, {"GET", "/v1/users/{id}", 2}});
  for (const char* path : {"/v1/users/%", "/v1/users/%2", "/v1/users/%zz", "/v1/%/users/1",
                           "/nowhere/%g1", "/v1/a:%"}) {
    Router::Match match = router.Lookup("GET", path);
    EXPECT_EQ(match.result, Result::kBadPath) << path;
    EXPECT_NE(match.error.find("percent"), std::string::npos) << match.error;
  }
}

TEST(RouterTest, PathWithoutLeadingSlashIsBad) {
  Router router = MakeRouter({{"GET", "/v1/users", 1}});
  for (const char* path : {"", "v1/users", "*", "http://host/v1/users"}) {
    Router::Match match = router.Lookup("GET", path);
    EXPECT_EQ(match.result, Result::kBadPath) << path;
    EXPECT_FALSE(match.error.empty());
  }
}

TEST(RouterTest, SingleSegmentBindingIsFullyDecoded) {
  Router router = MakeRouter({{"GET", "/v1/users/{id}", 1}});
  EXPECT_EQ(Bindings(router, "GET", "/v1/users/a%2Fb"), Strings{"id=a/b"});
  EXPECT_EQ(Bindings(router, "GET", "/v1/users/a%20b%3Ac"), Strings{"id=a b:c"});
  EXPECT_EQ(Bindings(router, "GET", "/v1/users/a+b"), Strings{"id=a+b"});
  EXPECT_EQ(Bindings(router, "GET", "/v1/users/%25"), Strings{"id=%"});
}

TEST(RouterTest, MultiSegmentBindingKeepsEncodedSlash) {
  Router router = MakeRouter({{"GET", "/v1/{name=shelves/*}", 1}, {"GET", "/v2/{name=**}", 2}});
  EXPECT_EQ(Bindings(router, "GET", "/v1/shelves/a%2Fb"), Strings{"name=shelves/a%2Fb"});
  EXPECT_EQ(Bindings(router, "GET", "/v1/shelves/a%20b"), Strings{"name=shelves/a b"});
  EXPECT_EQ(Bindings(router, "GET", "/v2/x%2fy/z%41"), Strings{"name=x%2fy/zA"});
}

TEST(RouterTest, LiteralsCompareDecoded) {
  Router router = MakeRouter({{"GET", "/v1/a%20b/{id}", 1}, {"GET", "/v1/caf%C3%A9", 2}});
  EXPECT_EQ(Found(router, "GET", "/v1/a%20b/x"), 1);
  EXPECT_EQ(Found(router, "GET", "/v1/caf%c3%a9"), 2);
  EXPECT_EQ(Found(router, "GET", "/v1/caf\xC3\xA9"), 2);
  Router users = MakeRouter({{"GET", "/v1/users/{id}", 1}});
  EXPECT_EQ(Found(users, "GET", "/v1/%75sers/7"), 1);
}

TEST(RouterTest, EscapedSlashDoesNotSplitSegments) {
  Router router = MakeRouter({{"GET", "/v1/a/b", 1}, {"GET", "/v1/{x}", 2}});
  EXPECT_EQ(Found(router, "GET", "/v1/a%2Fb"), 2);
  EXPECT_EQ(Bindings(router, "GET", "/v1/a%2Fb"), Strings{"x=a/b"});
}

TEST(RouterTest, DuplicateRoutesAreRejected) {
  Router router = MakeRouter({{"GET", "/v1/users/{id}", 1}, {"GET", "/v1/metrics:query", 2}});
  EXPECT_THROW(router.Add("GET", MustParse("/v1/users/{id}"), 3), std::invalid_argument);
  // The shape counts, not the variable names.
  EXPECT_THROW(router.Add("GET", MustParse("/v1/users/{name}"), 3), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", MustParse("/v1/users/*"), 3), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", MustParse("/v1/metrics:query"), 3), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", MustParse("/v1/metric%73:query"), 3), std::invalid_argument);
  try {
    router.Add("GET", MustParse("/v1/users/{user_id}"), 3);
    ADD_FAILURE() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("GET /v1/users/{user_id}"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("GET /v1/users/{id}"), std::string::npos) << e.what();
  }
  // Another method, verb or shape is not a duplicate.
  EXPECT_NO_THROW(router.Add("PUT", MustParse("/v1/users/{id}"), 4));
  EXPECT_NO_THROW(router.Add("GET", MustParse("/v1/users/{id}:activate"), 5));
  EXPECT_NO_THROW(router.Add("GET", MustParse("/v1/users/{name=**}"), 6));
  EXPECT_NO_THROW(router.Add("GET", MustParse("/v1/metrics"), 7));
  EXPECT_THROW(router.Add("GET", MustParse("/v1/{kind=users}/{id}"), 8), std::invalid_argument);
  // The failed additions changed nothing.
  EXPECT_EQ(Found(router, "GET", "/v1/users/1"), 1);
  EXPECT_EQ(Found(router, "PUT", "/v1/users/1"), 4);
  EXPECT_EQ(Found(router, "GET", "/v1/users/1:activate"), 5);
  EXPECT_EQ(Found(router, "GET", "/v1/users/1/2"), 6);
  EXPECT_EQ(Found(router, "GET", "/v1/metrics:query"), 2);
}

// Random paths against a router of mixed templates: every answer is well-formed, and nothing
// crashes.
TEST(RouterTest, RandomPathsGetWellFormedAnswers) {
  Router router = MakeRouter({{"GET", "/a/{x}", 1},
                              {"POST", "/a/b", 2},
                              {"GET", "/a/{x=**}/b:c", 3},
                              {"PUT", "/{x=a/*}/{y}", 4},
                              {"GET", "/**/b/a", 5},
                              {"DELETE", "/b:c", 6},
                              {"GET", "/", 7}});
  const std::string alphabet = "/ab:c%2F";
  std::mt19937 random(7);
  for (int i = 0; i < 20000; ++i) {
    std::string path = "/";
    const int length = static_cast<int>(random() % 12);
    for (int j = 0; j < length; ++j) path += alphabet[random() % alphabet.size()];
    for (const char* method : {"GET", "POST", "PUT", "DELETE", "HEAD"}) {
      Router::Match match = router.Lookup(method, path);
      switch (match.result) {
        case Result::kFound:
          EXPECT_GE(match.route, 1u) << path;
          EXPECT_LE(match.route, 7u) << path;
          break;
        case Result::kMethodNotAllowed:
          EXPECT_FALSE(match.allowed_methods.empty()) << path;
          EXPECT_TRUE(std::is_sorted(match.allowed_methods.begin(), match.allowed_methods.end()));
          EXPECT_EQ(std::find(match.allowed_methods.begin(), match.allowed_methods.end(), method),
                    match.allowed_methods.end())
              << method << " " << path;
          break;
        case Result::kBadPath:
          EXPECT_FALSE(match.error.empty()) << path;
          break;
        case Result::kNotFound:
          break;
      }
    }
  }
}

TEST(RouterTest, RouterIsMovable) {
  Router router = MakeRouter({{"GET", "/v1/users/{id}", 1}});
  Router moved = std::move(router);
  EXPECT_EQ(Found(moved, "GET", "/v1/users/1"), 1);
  Router assigned;
  assigned = std::move(moved);
  EXPECT_EQ(Found(assigned, "GET", "/v1/users/1"), 1);
}

TEST(RouterTest, ManySegmentsAndRoutes) {
  Router router;
  for (int i = 0; i < 200; ++i) {
    router.Add("GET", MustParse("/v1/r" + std::to_string(i) + "/{id}/sub/{name=**}/end"),
               static_cast<Router::RouteId>(i));
  }
  std::string deep = "/v1/r150/x/sub";
  for (int i = 0; i < 100; ++i) deep += "/s" + std::to_string(i);
  deep += "/end";
  EXPECT_EQ(Found(router, "GET", deep), 150);
  Strings bindings = Bindings(router, "GET", deep);
  ASSERT_EQ(bindings.size(), 2u);
  EXPECT_EQ(bindings[0], "id=x");
  EXPECT_EQ(bindings[1].substr(0, 12), "name=s0/s1/s");
  EXPECT_EQ(router.Lookup("GET", deep + "/more").result, Result::kNotFound);
}

}  // namespace
}  // namespace cppgateway
