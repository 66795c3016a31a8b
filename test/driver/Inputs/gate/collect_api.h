namespace lastword { void collect(); }
void process(int);
