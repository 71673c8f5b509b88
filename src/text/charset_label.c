/*
 * charset_label.c - charset labels mapped to a bounded set of names
 * (charset_label.h).
 * Room: text.
 */
#include "config.h"
#include "text/charset_label.h"

#include <glib.h>
#include <string.h>

/* Aliases by key (lower-case letters and digits only, as key_of() makes
 * them) and the name each stands for: the IANA MIME names of the charsets
 * mail uses, with the aliases mail clients and the WHATWG Encoding
 * Standard know.  Every name but hz-gb-2312 is one iconv knows
 * (test_charset_label checks); hz-gb-2312 is kept for the language hint
 * it gives (lang.c). */
static const struct {
	const char *key, *name;
} aliases[] = {
	{ "utf8", "utf-8" }, { "unicode11utf8", "utf-8" }, { "unicode20utf8", "utf-8" }, { "xunicode20utf8", "utf-8" },
	{ "utf7", "utf-7" }, { "unicode11utf7", "utf-7" }, { "csunicode11utf7", "utf-7" },
	{ "utf16", "utf-16" }, { "utf16le", "utf-16le" }, { "utf16be", "utf-16be" },
	{ "utf32", "utf-32" }, { "utf32le", "utf-32le" }, { "utf32be", "utf-32be" },
	{ "usascii", "us-ascii" }, { "ascii", "us-ascii" }, { "ansix341968", "us-ascii" }, { "ansix341986", "us-ascii" },
	{ "iso646us", "us-ascii" }, { "csascii", "us-ascii" }, { "us", "us-ascii" }, { "ibm367", "us-ascii" },
	{ "cp367", "us-ascii" }, { "isoir6", "us-ascii" }, { "ansix34", "us-ascii" }, { "iso646irv1991", "us-ascii" },
	{ "646", "us-ascii" },
	{ "iso88591", "iso-8859-1" }, { "latin1", "iso-8859-1" }, { "l1", "iso-8859-1" }, { "isoir100", "iso-8859-1" },
	{ "iso885911987", "iso-8859-1" }, { "cp819", "iso-8859-1" }, { "ibm819", "iso-8859-1" },
	{ "csisolatin1", "iso-8859-1" },
	{ "iso88592", "iso-8859-2" }, { "latin2", "iso-8859-2" }, { "l2", "iso-8859-2" }, { "isoir101", "iso-8859-2" },
	{ "csisolatin2", "iso-8859-2" },
	{ "iso88593", "iso-8859-3" }, { "latin3", "iso-8859-3" }, { "l3", "iso-8859-3" }, { "isoir109", "iso-8859-3" },
	{ "csisolatin3", "iso-8859-3" },
	{ "iso88594", "iso-8859-4" }, { "latin4", "iso-8859-4" }, { "l4", "iso-8859-4" }, { "isoir110", "iso-8859-4" },
	{ "csisolatin4", "iso-8859-4" },
	{ "iso88595", "iso-8859-5" }, { "cyrillic", "iso-8859-5" }, { "isoir144", "iso-8859-5" },
	{ "csisolatincyrillic", "iso-8859-5" },
	{ "iso88596", "iso-8859-6" }, { "arabic", "iso-8859-6" }, { "isoir127", "iso-8859-6" }, { "asmo708", "iso-8859-6" },
	{ "ecma114", "iso-8859-6" }, { "csisolatinarabic", "iso-8859-6" }, { "iso88596e", "iso-8859-6" },
	{ "iso88596i", "iso-8859-6" },
	{ "iso88597", "iso-8859-7" }, { "greek", "iso-8859-7" }, { "greek8", "iso-8859-7" }, { "isoir126", "iso-8859-7" },
	{ "elot928", "iso-8859-7" }, { "ecma118", "iso-8859-7" }, { "csisolatingreek", "iso-8859-7" },
	/* Hebrew in logical (-i) or visual order: the same bytes. */
	{ "iso88598", "iso-8859-8" }, { "hebrew", "iso-8859-8" }, { "isoir138", "iso-8859-8" },
	{ "csisolatinhebrew", "iso-8859-8" }, { "iso88598e", "iso-8859-8" }, { "iso88598i", "iso-8859-8" },
	{ "csiso88598i", "iso-8859-8" }, { "logical", "iso-8859-8" }, { "visual", "iso-8859-8" },
	{ "iso88599", "iso-8859-9" }, { "latin5", "iso-8859-9" }, { "l5", "iso-8859-9" }, { "isoir148", "iso-8859-9" },
	{ "csisolatin5", "iso-8859-9" },
	{ "iso885910", "iso-8859-10" }, { "latin6", "iso-8859-10" }, { "l6", "iso-8859-10" },
	{ "isoir157", "iso-8859-10" }, { "csisolatin6", "iso-8859-10" },
	{ "iso885911", "iso-8859-11" },
	{ "iso885913", "iso-8859-13" }, { "latin7", "iso-8859-13" }, { "l7", "iso-8859-13" },
	{ "iso885914", "iso-8859-14" }, { "latin8", "iso-8859-14" }, { "l8", "iso-8859-14" },
	{ "isoceltic", "iso-8859-14" },
	{ "iso885915", "iso-8859-15" }, { "latin9", "iso-8859-15" }, { "l9", "iso-8859-15" }, { "latin0", "iso-8859-15" },
	{ "csisolatin9", "iso-8859-15" },
	{ "iso885916", "iso-8859-16" }, { "latin10", "iso-8859-16" }, { "l10", "iso-8859-16" },
	{ "windows1250", "windows-1250" }, { "cp1250", "windows-1250" }, { "xcp1250", "windows-1250" },
	{ "windows1251", "windows-1251" }, { "cp1251", "windows-1251" }, { "xcp1251", "windows-1251" },
	{ "windows1252", "windows-1252" }, { "cp1252", "windows-1252" }, { "xcp1252", "windows-1252" },
	{ "windows1253", "windows-1253" }, { "cp1253", "windows-1253" }, { "xcp1253", "windows-1253" },
	{ "windows1254", "windows-1254" }, { "cp1254", "windows-1254" }, { "xcp1254", "windows-1254" },
	{ "windows1255", "windows-1255" }, { "cp1255", "windows-1255" }, { "xcp1255", "windows-1255" },
	{ "windows1256", "windows-1256" }, { "cp1256", "windows-1256" }, { "xcp1256", "windows-1256" },
	{ "windows1257", "windows-1257" }, { "cp1257", "windows-1257" }, { "xcp1257", "windows-1257" },
	{ "windows1258", "windows-1258" }, { "cp1258", "windows-1258" }, { "xcp1258", "windows-1258" },
	{ "windows874", "windows-874" }, { "cp874", "windows-874" }, { "dos874", "windows-874" },
	{ "tis620", "tis-620" },
	{ "koi8r", "koi8-r" }, { "koi8", "koi8-r" }, { "koi", "koi8-r" }, { "cskoi8r", "koi8-r" },
	{ "koi8u", "koi8-u" }, { "koi8ru", "koi8-u" },
	{ "ibm866", "ibm866" }, { "cp866", "ibm866" }, { "866", "ibm866" }, { "csibm866", "ibm866" },
	{ "ibm850", "ibm850" }, { "cp850", "ibm850" }, { "850", "ibm850" },
	{ "ibm437", "ibm437" }, { "cp437", "ibm437" }, { "437", "ibm437" },
	{ "macintosh", "macintosh" }, { "mac", "macintosh" }, { "macroman", "macintosh" },
	{ "xmacroman", "macintosh" }, { "csmacintosh", "macintosh" },
	{ "maccyrillic", "mac-cyrillic" }, { "xmaccyrillic", "mac-cyrillic" }, { "xmacukrainian", "mac-cyrillic" },
	{ "gb2312", "gb2312" }, { "csgb2312", "gb2312" }, { "euccn", "gb2312" }, { "xeuccn", "gb2312" },
	{ "gb231280", "gb2312" }, { "gb23121980", "gb2312" }, { "chinese", "gb2312" }, { "isoir58", "gb2312" },
	{ "csiso58gb231280", "gb2312" },
	{ "gbk", "gbk" }, { "cp936", "gbk" }, { "windows936", "gbk" }, { "ms936", "gbk" }, { "xgbk", "gbk" },
	{ "gb18030", "gb18030" },
	{ "hzgb2312", "hz-gb-2312" }, { "hz", "hz-gb-2312" },
	{ "big5", "big5" }, { "csbig5", "big5" }, { "xxbig5", "big5" }, { "cnbig5", "big5" }, { "big5eten", "big5" },
	{ "big5hkscs", "big5-hkscs" },
	{ "cp950", "cp950" }, { "windows950", "cp950" }, { "ms950", "cp950" },
	{ "euctw", "euc-tw" },
	{ "shiftjis", "shift_jis" }, { "sjis", "shift_jis" }, { "xsjis", "shift_jis" }, { "mskanji", "shift_jis" },
	{ "csshiftjis", "shift_jis" },
	{ "cp932", "cp932" }, { "windows31j", "cp932" }, { "ms932", "cp932" }, { "xmscp932", "cp932" },
	{ "eucjp", "euc-jp" }, { "xeucjp", "euc-jp" }, { "cseucpkdfmtjapanese", "euc-jp" }, { "ujis", "euc-jp" },
	{ "iso2022jp", "iso-2022-jp" }, { "csiso2022jp", "iso-2022-jp" },
	{ "iso2022jp2", "iso-2022-jp-2" }, { "csiso2022jp2", "iso-2022-jp-2" },
	{ "iso2022jp3", "iso-2022-jp-3" },
	{ "euckr", "euc-kr" }, { "cseuckr", "euc-kr" }, { "ksc5601", "euc-kr" }, { "ksc56011987", "euc-kr" },
	{ "ksc56011989", "euc-kr" }, { "isoir149", "euc-kr" }, { "korean", "euc-kr" },
	{ "csksc56011987", "euc-kr" },
	{ "cp949", "cp949" }, { "uhc", "cp949" }, { "windows949", "cp949" }, { "ms949", "cp949" },
	{ "iso2022kr", "iso-2022-kr" }, { "csiso2022kr", "iso-2022-kr" },
	{ "iso2022cn", "iso-2022-cn" },
};

/* The alias key of the label: its letters and digits in lower case, the
 * punctuation people vary ("shift_jis", "Shift-JIS", "SHIFT JIS") left
 * out.  False for any other byte. */
static bool key_of(const char *s, size_t len, char *key, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (g_ascii_isalnum(s[i])) {
			if (n + 1 >= size)
				return false;
			key[n++] = g_ascii_tolower(s[i]);
		} else if (strchr(" -_.:", s[i]) == NULL || s[i] == '\0') {
			return false;
		}
	}
	key[n] = '\0';
	return n > 0;
}

/* The label as iconv may be asked about it: lower case, a letter or
 * digit first, then letters, digits, '-', '_' and '.'.  glibc's iconv
 * drops other bytes before its look-up, so that "utf-8!" and "utf-8!!"
 * would be two names GMime keeps for one charset. */
static bool iconv_form(const char *s, size_t len, char *buf, size_t size)
{
	if (len == 0 || len >= size || !g_ascii_isalnum(s[0]))
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!g_ascii_isalnum(s[i]) && s[i] != '-' && s[i] != '_' && s[i] != '.')
			return false;
		buf[i] = g_ascii_tolower(s[i]);
	}
	buf[len] = '\0';
	return true;
}

static bool iconv_knows(const char *name)
{
	GIConv cd = g_iconv_open("UTF-8", name);

	if (cd == (GIConv)-1)
		return false;
	g_iconv_close(cd);
	return true;
}

const char *charset_label_map(const char *label, size_t len, char *buf, size_t size)
{
	const char *star;
	char key[CHARSET_LABEL_MAX + 1];

	if (label == NULL || size < CHARSET_LABEL_MAX + 1)
		return CHARSET_LABEL_FALLBACK;
	/* RFC 2231's language suffix says nothing about the bytes. */
	if ((star = memchr(label, '*', len)) != NULL)
		len = (size_t)(star - label);
	while (len > 0 && (label[0] == ' ' || label[0] == '\t')) {
		label++;
		len--;
	}
	while (len > 0 && (label[len - 1] == ' ' || label[len - 1] == '\t'))
		len--;
	if (len > CHARSET_LABEL_MAX || !key_of(label, len, key, sizeof key))
		return CHARSET_LABEL_FALLBACK;
	for (size_t i = 0; i < G_N_ELEMENTS(aliases); i++)
		if (aliases[i].key[0] == key[0] && strcmp(aliases[i].key, key) == 0)
			return aliases[i].name;
	if (iconv_form(label, len, buf, CHARSET_LABEL_MAX + 1) && iconv_knows(buf))
		return buf;
	return CHARSET_LABEL_FALLBACK;
}

const char *charset_label_name(const char *label)
{
	char buf[CHARSET_LABEL_MAX + 1];
	const char *name = label ? charset_label_map(label, strlen(label), buf, sizeof buf) : NULL;

	/* buf is the label in lower case, unless it had more around it. */
	if (name == buf)
		return g_ascii_strcasecmp(buf, label) == 0 ? label : CHARSET_LABEL_FALLBACK;
	return name;
}
