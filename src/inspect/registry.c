/*
 * The inspectors, in the order they see each entry. Adding a family of checks
 * is one new check_*.c file with its table and one line here.
 */
#include "inspect/inspector.h"

extern const struct it_inspector it_insp_pkgdb, it_insp_signatures, it_insp_elf,
        it_insp_credentials, it_insp_secrets, it_insp_services, it_insp_config, it_insp_fs;

const struct it_inspector *const it_inspectors[] = {
        &it_insp_pkgdb,   &it_insp_signatures, &it_insp_elf,    &it_insp_credentials,
        &it_insp_secrets, &it_insp_services,   &it_insp_config, &it_insp_fs,
};
const size_t it_inspector_count = sizeof(it_inspectors) / sizeof(it_inspectors[0]);
