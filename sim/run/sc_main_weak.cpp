// libsystemc.so defines main() and so refers to sc_main(), even in programs that have their own
// main() (the accsim CLI, the test and benchmark programs) and never call it. This weak
// definition satisfies the linker; a program that does define sc_main() overrides it.
extern "C" __attribute__((weak)) int sc_main(int, char*[]) {
  return 1;
}
