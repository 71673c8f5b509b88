/*
 * autoreply_phrases.c - the words automatic replies, bounces and abuse
 * reports are recognised by when they carry no header saying so: in the
 * 14 locales the acknowledgements are written in (en, tr, de, fr, es,
 * pt-BR, it, nl, ru, ja, zh-CN, ar, ko, pl), as mail systems and clients
 * word them.  Case-folded (g_utf8_casefold) so that they compare with
 * folded text.
 * Room: robots.
 */
#include "config.h"
#include "robots/autoreply_rules.h"

#include <stddef.h>

/* Subjects of out-of-office and other automatic replies start so. */
const char *const autoreply_reply_subject_starts[] = {
	"auto:", "autoreply", "auto-reply", "auto reply", "automatic reply", "auto response",
	"auto-response", "autoresponse", "automatic response", "out of office", "out of the office",
	"vacation reply", "abwesenheitsnotiz", "abwesend", "automatische antwort", "réponse automatique", "absence du bureau",
	"absent du bureau", "message d'absence", "respuesta automática", "respuesta automatica",
	"fuera de la oficina", "risposta automatica", "fuori sede", "fuori ufficio",
	"automatisch antwoord", "afwezig", "otomatik yanıt", "otomatik cevap", "ofis dışında",
	"resposta automática", "resposta automatica", "fora do escritório", "ausente", "автоответ",
	"автоматический ответ", "自動応答", "自動返信", "自動送信", "不在", "自动回复", "自动答复", "自動回覆", "자동 응답",
	"자동응답", "자동 회신", "odpowiedź automatyczna", "automatyczna odpowiedź", "poza biurem",
	"رد تلقائي", "الرد التلقائي",
	NULL,
};

/* ... or end so (Yahoo, AOL, webmail vacation). */
const char *const autoreply_reply_subject_ends[] = {
	"(automatic reply)", "(auto reply)", "(auto-reply)", "(autoreply)", "(automatic response)",
	"(auto response)", "(auto-response)", "(autoresponse)", "(out of office)", "(out of the office)",
	NULL,
};

/* Bounces: anywhere in the subject, or in the text, of mail from a
 * machine-like sender (the sender is what keeps a person's "Fwd:
 * Returned mail" an ordinary question); or at the start of the subject
 * of mail that returns a message (a person forwarding one writes
 * "Fwd:" in front). */
const char *const autoreply_bounce_subjects[] = {
	/* en */
	"undeliverable", "undelivered mail", "undelivered message", "returned mail", "returned to sender",
	"delivery status notification", "delivery notification", "mail delivery failed",
	"mail delivery failure", "message delivery failure", "delivery failure", "delivery failed",
	"delivery has failed", "delivery problem", "failure notice", "non delivery", "non-delivery",
	"nondeliverable", "could not send message", "could not be delivered", "delayed mail",
	"delivery delayed", "mail system error",
	/* de */
	"unzustellbar", "nicht zustellbar", "zustellung fehlgeschlagen", "fehlgeschlagene zustellung",
	"übermittlungsstatus", "zustellungsfehler", "nicht zugestellt",
	/* fr */
	"non remis", "non distribuable", "échec de la remise", "échec de remise", "état de remise",
	"courrier retourné", "non délivré", "échec de livraison",
	/* es */
	"no se puede entregar", "no se pudo entregar", "imposible entregar", "estado de entrega",
	"error de entrega", "correo devuelto", "mensaje no entregado",
	/* pt-BR */
	"não é possível entregar", "não foi possível entregar", "status de entrega", "falha na entrega",
	"mensagem não entregue", "mensagem devolvida",
	/* it */
	"non recapitabile", "impossibile recapitare", "stato di consegna", "mancato recapito",
	"non recapitato", "errore di consegna", "posta restituita",
	/* nl */
	"onbestelbaar", "kan niet worden bezorgd", "status van de bezorging", "bezorging mislukt",
	"niet afgeleverd", "niet bezorgd",
	/* ru */
	"не доставлено", "недоставлено", "недоставленное", "недоставляемое", "невозможно доставить",
	"не удалось доставить", "состоянии доставки", "ошибка доставки", "возвращенное письмо",
	"возвращённое письмо",
	/* ja */
	"配信不能", "配信できません", "配信状態の通知", "配信失敗", "配送エラー", "配信エラー", "不達",
	/* zh-CN */
	"无法投递", "无法送达", "递送状态通知", "投递失败", "投递状态", "退信", "邮件退回", "未送达",
	/* ar */
	"غير قابل للتسليم", "تعذر التسليم", "تعذر تسليم", "حالة التسليم", "فشل التسليم", "فشل تسليم",
	"لم يتم التسليم", "لم يتم تسليم",
	/* ko */
	"배달되지 않음", "배달 못 함", "배달하지 못", "배달 상태 알림", "배달 실패", "전달 실패",
	"반송된 메일", "메일 반송",
	/* pl */
	"niedostarczalne", "nie można dostarczyć", "niedostarczona", "niedostarczono",
	"stanie dostarczenia", "błąd dostarczenia", "zwrócona poczta", "nie dostarczono",
	/* tr */
	"teslim edilemedi", "teslim edilemiyor", "teslim edilemeyen", "teslim durumu", "teslim hatası",
	"teslim başarısız", "iletilemedi",
	NULL,
};

/* What DSN-style texts say in their first lines, beyond the subjects'
 * words (which are looked for in the text too). */
const char *const autoreply_bounce_texts[] = {
	"this is the mail system at host", "i'm sorry to have to inform you that your message",
	"could not be delivered to one or more recipients", "created automatically by mail delivery software",
	"delivery to the following recipient", "the following addresses had permanent fatal errors",
	"was undeliverable", "unable to deliver", "couldn't be delivered", "your message did not reach",
	"this is the qmail-send program", "the original message was received at",
	"konnte nicht zugestellt werden", "n'a pas pu être remis", "ne peut pas être remis",
	"no pudo ser entregado", "não pôde ser entregue", "non è stato possibile recapitare",
	"kon niet worden bezorgd", "не может быть доставлено", "配信できませんでした", "发送失败",
	"배달하지 못했습니다", "nie mogła zostać dostarczona", "tarafından teslim edilemedi",
	NULL,
};

/* Complaint and abuse reports that are not multipart/report (Hotmail's
 * JMRP, AOL's, SpamCop's) start so. */
const char *const autoreply_report_subject_starts[] = {
	"complaint about message from", "abuse report", "spam report", "spam complaint",
	"abuse complaint", "email feedback report", "feedback report", "fbl report",
	"client tos notification", "[spamcop",
	NULL,
};
