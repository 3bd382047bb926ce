/* tests/unit/test_text.c: text from targets and compilers made safe for
 * reports (reports/text.c): escape sequences and control characters
 * removed, invalid UTF-8 replaced or dropped, one-line folding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>

#include "common/lc.h"
#include "reports/text.h"

static void test_text_clean(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        unsigned flags;
        const char *out;
    } cases[] = {
        {"a\x1b[01;31m\x1b[Kb\x1b[mc", 0, "abc"},
        {"x\x1b]0;title\x07y\x1b]8;;u\x1b\\z", 0, "xyz"},
        {"ok\xff\xc0\xaf"
         "end",
         REPORT_TEXT_DROP_BAD, "okend"},
        {"ok\xff", 0, "ok\xef\xbf\xbd"},
        {"\xed\xa0\x80s", REPORT_TEXT_DROP_BAD, "s"},     /* a surrogate */
        {"\xf4\x90\x80\x80s", REPORT_TEXT_DROP_BAD, "s"}, /* above U+10FFFF */
        {"\xf0\x9f\x98\x80 \xc3\xa9", REPORT_TEXT_DROP_BAD, "\xf0\x9f\x98\x80 \xc3\xa9"},
        {"a\xef\xbf\xbe\xc2\x9b\x7f\x01"
         "b",
         0, "ab"}, /* U+FFFE, C1, DEL, C0 */
        {"l1\nl2\tx\r", 0, "l1\nl2\tx\r"},
        {"l1\nl2\tx\r", REPORT_TEXT_ONE_LINE, "l1 l2 x "},
        {"trunc\xe6\x97", REPORT_TEXT_DROP_BAD, "trunc"},
        {"esc at end\x1b", 0, "esc at end"},
    };
    for (size_t i = 0; i < LC_ARRAY_LEN(cases); i++) {
        char *s = report_text_dup(cases[i].in, cases[i].flags);
        assert_string_equal(s, cases[i].out);
        free(s);
    }
    char *s = report_text_dup(NULL, 0);
    assert_string_equal(s, "");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_clean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
