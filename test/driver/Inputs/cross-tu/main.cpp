#include "session.h"
int main() { open_session(); }
