# SPDX-License-Identifier: BSD-2-Clause
# license.cmake - license_spdx: every tracked source file starts with its
# SPDX-License-Identifier line (test/license/spdx.sh, LICENSE).
add_test(NAME license_spdx COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/license/spdx.sh ${PROJECT_SOURCE_DIR})
set_tests_properties(license_spdx PROPERTIES LABELS license SKIP_RETURN_CODE 77 TIMEOUT 60)
