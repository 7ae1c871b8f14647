#!/bin/sh
# expect_compile_error.sh TEXT COMPILER ARGS...
# Passes when the compiler fails and its diagnostics contain TEXT.
text=$1
shift
out=$("$@" 2>&1)
status=$?
if [ "$status" -eq 0 ]; then
  echo "compiled, but should have failed with: $text"
  exit 1
fi
case $out in
  *"$text"*) echo "refused as expected: $text" ;;
  *) printf 'failed for another reason:\n%s\n' "$out"; exit 1 ;;
esac
