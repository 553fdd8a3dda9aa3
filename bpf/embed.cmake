# SPDX-License-Identifier: BSD-2-Clause
# embed.cmake - turn a compiled BPF object into a C array, so the program is
# part of the library and nothing extra is installed.
# Usage: cmake -DIN=obj.o -DOUT=obj.c -DNAME=symbol -P embed.cmake
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n" body "${body}")
file(WRITE ${OUT} "/* generated from ${IN} by bpf/embed.cmake */\n"
     "const unsigned char ${NAME}[] = {\n${body}\n};\n"
     "const unsigned int ${NAME}_len = ${len};\n")
