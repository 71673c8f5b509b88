/*
 * test_lang_short.c - the acknowledgement's language from a few words:
 * subjects and one-line mails read by both detectors, the script
 * shortcut, and the letters only one language uses (lang_read.c,
 * lang_script.c).  test_lang measures the same on langdata.
 */
#include "config.h"
#include "tap.h"
#include "language/lang.h"
#include "language/lang_script.h"

#include <glib.h>
#include <string.h>

/* A queue as the issue describes it. */
static char *const queue[] = {
	"en", "tr", "de", "fr", "es", "pt-BR", "it", "nl", "ru", "ja", "zh-CN", "zh-TW", "ar", "ko", "pl", "sv", NULL
};

static void check_choice(const struct lang_hints *hints, char *const *offered, const char *want, const char *what)
{
	char *got = lang_choose(hints, offered, "en");

	is_str(got, want, "%s", what);
	g_free(got);
}

/* Subjects and one-line mails: a few words, where CLD2 alone fell back
 * to the default or read a neighbour. */
static void test_short_text(void)
{
	char *const ru_uk[] = { "en", "ru", "uk", NULL }, *const ja_zh[] = { "en", "zh-CN", "zh-TW", "ja", NULL };
	/* The first seven went to the default (or Turkish) when CLD2 read
	 * them alone. */
	static const struct {
		const char *text, *want;
	} cases[] = {
		{ "Problema con la factura", "es" },
		{ "Problema com a fatura", "pt-BR" },
		{ "Cancelamento do pedido", "pt-BR" },
		{ "Changement d'adresse", "fr" },
		{ "Abo kündigen", "de" },
		{ "Problem z fakturą", "pl" },
		{ "Заказ 4711 (Samsung Galaxy S23)", "ru" },
		{ "¿Dónde está mi pedido?", "es" },
		{ "Onde está o meu pedido?", "pt-BR" },
		{ "Richiesta di rimborso", "it" },
		{ "Annullare l'abbonamento", "it" },
		{ "Waar blijft mijn bestelling?", "nl" },
		{ "Terugbetaling van bestelling", "nl" },
		{ "Zwrot pieniędzy", "pl" },
		{ "İade talebi", "tr" },
		{ "Demande de remboursement", "fr" },
		{ "Rückerstattung der Bestellung", "de" },
		{ "Refund request", "en" },
		{ "Cancel subscription", "en" },
		{ "주문 확인 부탁드립니다", "ko" },
		{ "返金のお願い", "ja" },
		{ "مشكلة في الفاتورة", "ar" },
		{ "Возврат денег за заказ", "ru" },
		{ "我的订单在哪里？", "zh-CN" },
		{ "我的訂單在哪裡？", "zh-TW" },
	};
	struct lang_hints hints = { 0 };

	for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
		char *what = g_strdup_printf("short text \"%s\"", cases[i].text);

		hints.text = cases[i].text;
		check_choice(&hints, queue, cases[i].want, what);
		g_free(what);
	}
	hints = (struct lang_hints){ .subject = "¿Dónde está mi pedido?", .text = "Gracias" };
	check_choice(&hints, queue, "es", "subject and body are read together");
	hints = (struct lang_hints){ .text = "Де моє замовлення?" };
	check_choice(&hints, queue, "en", "Ukrainian letters keep Cyrillic text from the Russian shortcut");
	check_choice(&hints, ru_uk, "uk", "Cyrillic is no shortcut when the queue offers two Cyrillic languages");
	hints = (struct lang_hints){ .text = "注文の確認" };
	check_choice(&hints, ja_zh, "ja", "kana make Japanese even beside Chinese");
}

static void check_script(const char *text, const char *want)
{
	is_str(lang_script_language(text, strlen(text)), want, "script of \"%s\" -> %s", text, want ? want : "none");
}

static void check_marks(const char *text, const char *want)
{
	const char *found[LANG_MARKS_MAX];
	int n = lang_script_marks(text, strlen(text), found);
	GString *got = g_string_new(NULL);

	for (int i = 0; i < n; i++)
		g_string_append_printf(got, "%s%s", i ? "," : "", found[i]);
	is_str(got->str, want, "letters of \"%s\" -> %s", text, want);
	g_string_free(got, TRUE);
}

static void test_scripts_and_letters(void)
{
	check_script("주문 확인 부탁드립니다", "ko");
	check_script("注文の確認をお願いします", "ja");
	check_script("注文確認", "zh");
	check_script("我的订单 (order 4711, Samsung)", "zh");
	check_script("طلبي لم يصل", "ar");
	check_script("سفارش من کجاست؟", NULL);	/* Persian letters */
	check_script("Где мой заказ? Samsung Galaxy", "ru");
	check_script("Де моє замовлення?", NULL);	/* Ukrainian letters */
	check_script("Къде е поръчката ми?", "ru");	/* Bulgarian needs no other letters */
	check_script("Please send my order to Mr. Иванов", NULL);	/* a quarter of the letters at least */
	check_script("Where is my order?", NULL);
	check_script("", NULL);
	ok(lang_script_shared("ru", "uk") && lang_script_shared("ru", "ru") && !lang_script_shared("ru", "de") &&
	   lang_script_shared("ar", "fa") && !lang_script_shared("ko", "ja"), "languages sharing a shortcut's script");

	check_marks("¿Dónde está mi pedido?", "es");
	check_marks("Não recebi", "pt");
	check_marks("Gdzie jest moje zamówienie? Dziękuję", "pl");
	check_marks("SİPARİŞ", "tr");
	check_marks("Grüße", "de");
	check_marks("Cœur", "fr");
	check_marks("Ça va, très bien, ça marche", "");	/* ç and é are shared */
	check_marks("Año, ação", "es,pt");
}

int main(void)
{
	lang_init();
	test_short_text();
	test_scripts_and_letters();
	return tap_done();
}
