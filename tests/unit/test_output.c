/* test_output.c - ticketctl's terminal text: what a terminal would act
 * on (C0 and C1 controls, ESC, DEL, bidirectional overrides, bytes that
 * are not UTF-8) is shown escaped, everything else as it is. */
#include "config.h"
#include "tap.h"
#include "ctl/output.h"

#include <glib.h>

int main(void)
{
	GPtrArray *held = g_ptr_array_new_with_free_func(g_free);
	const char *plain = "Käse, 日本語, עברית, nbsp\xc2\xa0here \xe2\x80\xaf narrow";

	ok(output_text(held, plain) == plain, "plain UTF-8 (Hebrew, CJK, no-break spaces) is printed as it is");
	is_str(output_text(held, NULL), "", "NULL prints as nothing");
	is_str(output_text(held, "red \x1b[31mALERT\x1b[0m"), "red \\x1b[31mALERT\\x1b[0m", "ESC sequences escaped");
	is_str(output_text(held, "a\rb\nc\bd\x07"), "a\\x0db\\x0ac\\x08d\\x07", "CR, LF, BS, BEL escaped");
	is_str(output_text(held, "del\x7f"), "del\\x7f", "DEL escaped");
	is_str(output_text(held, "nel\xc2\x85 csi\xc2\x9b"), "nel\\u0085 csi\\u009B", "C1 controls (U+0085, U+009B) escaped");
	is_str(output_text(held, "\xc2\x80\xc2\x9f\xc2\xa0"), "\\u0080\\u009F\xc2\xa0", "C1 range U+0080-U+009F, not U+00A0");
	is_str(output_text(held, "invoice\xe2\x80\xaegpj.exe"), "invoice\\u202Egpj.exe", "RIGHT-TO-LEFT OVERRIDE escaped");
	is_str(output_text(held, "\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac\xe2\x80\xad"), "\\u202A\\u202B\\u202C\\u202D",
	       "embeddings and overrides U+202A-U+202D escaped");
	is_str(output_text(held, "\xe2\x81\xa6x\xe2\x81\xa7y\xe2\x81\xa8z\xe2\x81\xa9"), "\\u2066x\\u2067y\\u2068z\\u2069",
	       "isolates U+2066-U+2069 escaped");
	is_str(output_text(held, "\xe2\x80\xa9\xe2\x81\xa5"), "\xe2\x80\xa9\xe2\x81\xa5", "neighbours U+2029, U+2065 kept");
	is_str(output_text(held, "bad \xff\xfe \xc2 end"), "bad \\xff\\xfe \\xc2 end", "bytes that are not UTF-8 escaped");
	is_str(output_text(held, "a\tb"), "a\\x09b", "a tab in a field of a tab-separated line is escaped");
	is_str(output_line(held, "a\tb\x1b"), "a\tb\\x1b", "a tab in running text stays");
	g_ptr_array_free(held, TRUE);
	return tap_done();
}
