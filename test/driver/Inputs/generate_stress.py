"""Writes a C++ file with pathological but valid shapes: a 20000-term
expression inside a loop, a chain of 3000 functions ending in a collection (beyond the search bound),
a chain of 10 (followed),
mutual recursion, and a finalizer whose body is a deep expression."""
import sys

terms = 20000
chain = 3000
out = ["#include <lastword/gc.hpp>", ""]
out.append("int deep(int k) { int s = 0; for (int i = 0; i < k; ++i) { s += %s; lastword::collect(); } return s; }"
           % " + ".join(["i"] * terms))
out.append("void chain_%d() { lastword::collect(); }" % (chain - 1))
for i in range(chain - 2, -1, -1):
    out.append("void chain_%d() { chain_%d(); }" % (i, i + 1))
out.append("void calls_chain(int n) { for (int i = 0; i < n; ++i) chain_0(); }")
# A short chain is followed; the long one above is beyond the search bound.
for i in range(9, -1, -1):
    out.append("void short_%d() { %s; }" % (i, "short_%d()" % (i + 1) if i < 9 else "lastword::collect()"))
out.append("void calls_short(int n) { for (int i = 0; i < n; ++i) short_0(); }")
out.append("void ping(int); void pong(int n) { if (n) ping(n - 1); } void ping(int n) { pong(n); }")
out.append("void recursion(int n) { for (int i = 0; i < n; ++i) ping(i); }")
out.append("struct R { int v; };")
out.append("void fin(int k) { R *r = lastword::make<R>(); lastword::set_finalizer(r, [k](R *p) { p->v = %s; }); }"
           % " + ".join(["k"] * terms))
with open(sys.argv[1], "w") as f:
    f.write("\n".join(out) + "\n")
