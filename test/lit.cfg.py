# lit configuration for lastword's check and driver tests.
import os
import shlex
import lit.formats

config.name = "lastword"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".cpp", ".c", ".test"]
config.excludes = ["Inputs", "analysis", "validation", "install", "plugin_host", "cmake", "CMakeLists.txt", "gate"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.lastword_binary_dir, "test")

inputs = os.path.join(config.test_source_root, "checks", "Inputs")
# The check tests compile against the runtime's real public headers, so they
# cannot drift from the API the checks recognise.
runtime_include = os.path.join(os.path.dirname(config.test_source_root), "runtime", "include")
runner = [config.python, os.path.join(config.test_source_root, "check_gc_tidy.py"),
          "--filecheck", config.filecheck, "--driver", config.lastword_driver,
          "--include", runtime_include, "--include", inputs]
tools = lit_config.params.get("tools", config.lastword_tools)
if "plugin" in tools:
    runner += ["--plugin", config.lastword_plugin, "--clang-tidy", config.clang_tidy]
runner += ["--tools", tools]
config.substitutions.append(("%check_gc", " ".join(shlex.quote(a) for a in runner)))
config.substitutions.append(("%gc_inputs", inputs))
config.substitutions.append(("%gc_include", runtime_include))
config.substitutions.append(("%lastword", shlex.quote(config.lastword_driver)))
config.substitutions.append(("%clang_tidy_plugin",
                             "%s --load=%s" % (shlex.quote(config.clang_tidy),
                                               shlex.quote(config.lastword_plugin))))
config.substitutions.append(("%FileCheck", shlex.quote(config.filecheck)))
config.substitutions.append(("%not", shlex.quote(config.not_tool)))
config.substitutions.append(("%python", shlex.quote(config.python)))
config.substitutions.append(("%expect_exit", "%s %s" % (
    shlex.quote(config.python), shlex.quote(os.path.join(config.test_source_root, "expect_exit.py")))))
if "plugin" in tools:
    config.available_features.add("plugin")
    config.substitutions.append(("%plugin_host", shlex.quote(config.plugin_host)))
    config.substitutions.append(("%plugin_path", shlex.quote(config.lastword_plugin)))
    config.substitutions.append(("%tidy_launcher", shlex.quote(config.lastword_launcher)))
# The cppgc (Oilpan) headers of Debian's libnode-dev, for the cppgc profile's
# parse-level tests; those tests are UNSUPPORTED without them.
cppgc_include = getattr(config, "cppgc_include", "")
if cppgc_include and os.path.isfile(os.path.join(cppgc_include, "cppgc", "garbage-collected.h")):
    config.available_features.add("cppgc")
    config.substitutions.append(("%cppgc_include", shlex.quote(cppgc_include)))
# Sanitizer reports must fail the test, not scroll by.
config.environment["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0:halt_on_error=1"
config.environment["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=1"
