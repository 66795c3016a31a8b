//===--- ReachNotes.cpp ---------------------------------------------------===//

#include "analysis/ReachNotes.h"
#include "clang/AST/PrettyPrinter.h"
#include "clang/Lex/Lexer.h"
#include "llvm/Support/raw_ostream.h"

using namespace clang;

namespace lastword::analysis {
namespace {

// A name reserved to the implementation: `_M_str`, `__ptr`.
bool showsInternals(StringRef Text) {
  for (size_t I = 0; I < Text.size(); ++I) {
    bool Start =
        I == 0 || !(isalnum(static_cast<unsigned char>(Text[I - 1])) || Text[I - 1] == '_');
    if (!Start || Text[I] != '_' || I + 1 >= Text.size())
      continue;
    if (Text[I + 1] == '_' || isupper(static_cast<unsigned char>(Text[I + 1])))
      return true;
  }
  return false;
}

} // namespace

std::string describeStep(const ReachChain &Chain, size_t Index) {
  if (Index >= Chain.size())
    return {};
  const ReachStep &Step = Chain[Index];
  std::string Held =
      Index + 1 < Chain.size() ? "'" + Chain[Index + 1].HolderName + "'" : "the object";
  std::string Text;
  llvm::raw_string_ostream OS(Text);
  OS << "'" << Step.HolderName << "' ";
  switch (Step.StepKind) {
  case ReachStep::Kind::Interior:
    OS << "points into " << Held;
    break;
  case ReachStep::Kind::Alias:
    OS << "points to " << Held;
    break;
  case ReachStep::Kind::Element:
    OS << "is an element of " << Held;
    break;
  case ReachStep::Kind::Holds:
    // `this` is not stored anywhere: it reaches what its fields hold.
    OS << (Step.HolderName == "this" && Step.How.empty() ? "reaches " : "holds ") << Held;
    if (!Step.Through.empty() && Step.Through != Step.HolderName)
      OS << " through '" << Step.Through << "'";
    break;
  }
  if (!Step.How.empty())
    OS << ", " << Step.How << " here";
  return Text;
}

std::string exprText(const Expr *E, const ASTContext &Context) {
  if (!E)
    return {};
  const SourceManager &SM = Context.getSourceManager();
  CharSourceRange Range = Lexer::makeFileCharRange(
      CharSourceRange::getTokenRange(E->getSourceRange()), SM, Context.getLangOpts());
  if (Range.isValid()) {
    StringRef Text = Lexer::getSourceText(Range, SM, Context.getLangOpts());
    if (!Text.empty() && Text.size() < 80 && !Text.contains('\n'))
      return Text.str();
    if (!Text.empty())
      return Text.take_front(Text.find('\n')).take_front(60).str() + "...";
  }
  // Printing recurses: only small expressions.
  unsigned Nodes = 0;
  llvm::SmallVector<const Stmt *, 16> Work{E};
  while (!Work.empty() && Nodes < 64) {
    const Stmt *S = Work.pop_back_val();
    ++Nodes;
    if (S)
      for (const Stmt *Child : S->children())
        Work.push_back(Child);
  }
  if (Nodes >= 64)
    return "expression";
  std::string Printed;
  llvm::raw_string_ostream OS(Printed);
  E->printPretty(OS, nullptr, PrintingPolicy(Context.getLangOpts()));
  OS.flush();
  return showsInternals(Printed) ? "expression" : Printed;
}

} // namespace lastword::analysis
