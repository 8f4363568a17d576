# Turns the files under data/ into one C source (builtin_data.c) so the library
# carries its catalogue, signatures and lists; run by CMake at build time:
#   cmake -DDATA_DIR=... -DOUT=... -P embed-data.cmake
file(GLOB_RECURSE files RELATIVE ${DATA_DIR} ${DATA_DIR}/*.json ${DATA_DIR}/*.txt
  ${DATA_DIR}/*.json.gz ${DATA_DIR}/*.yaml)
list(SORT files)
set(body "/* Generated from data/ by cmake/embed-data.cmake: do not edit. */\n")
string(APPEND body "#include <stddef.h>\n#include \"util/builtin_data.h\"\n")
set(table "")
set(i 0)
foreach(f ${files})
  file(READ ${DATA_DIR}/${f} hex HEX)
  file(SIZE ${DATA_DIR}/${f} size)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
  string(APPEND body "static const unsigned char d${i}[] = {${hex}0};\n")
  string(APPEND table "\t{\"${f}\", d${i}, ${size}},\n")
  math(EXPR i "${i} + 1")
endforeach()
string(APPEND body "const struct it_builtin_file it_builtin_data[] = {\n${table}};\n")
string(APPEND body "const size_t it_builtin_data_count = ${i};\n")
file(WRITE ${OUT}.tmp "${body}")
file(RENAME ${OUT}.tmp ${OUT})
