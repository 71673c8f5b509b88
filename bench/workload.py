#!/usr/bin/python3
"""workload.py - realistic support mail for the benchmark, deterministic.

    workload.py seed  OUT-DIR COUNT
    workload.py KIND  OUT-DIR COUNT TOKENS-TSV     (KIND: mixed, 10k, foreign)

Writes OUT-DIR/NNNNN.eml, OUT-DIR/index.tsv (PATH, MAIL FROM, RCPT list:
what bench/smtpsend reads) and OUT-DIR/meta.tsv (INDEX, KIND, BYTES,
MESSAGE-ID).  The same arguments always give the same bytes, so every
mode of every round sends exactly the same mail.

seed     new tickets from COUNT distinct customers, sent once in order
         before the timed runs so that tickets SUP-1001... exist; their
         tagged copies at the sink give the real gateway tokens
         (TOKENS-TSV: TICKET, GATEWAY ADDRESS, MESSAGE-ID, CUSTOMER).
mixed    what a support address receives: new tickets in 14 languages
         (some with HTML, some with attachments, 1 KB to 200 KB),
         customer follow-ups with In-Reply-To/References, follow-ups
         with only the subject tag, agent replies to the signed gateway
         address support+TOKEN@, bounces (multipart/report) and list mail.
10k      the same kinds of conversation, every message about 10 KB.
foreign  mail for addresses that are no queue (colleagues, sales).
"""
import os
import random
import sys
from email.message import EmailMessage
from email.utils import format_datetime
from email import policy
import email
import datetime

QUEUE = "support@example.com"
# The queue's agents (bench/lib.sh configures them, with loopback trusted).
AGENTS = [("Anna Berg", "anna.berg@example.com"), ("Mehmet Yilmaz", "mehmet.yilmaz@example.com"),
          ("Chloé Martin", "chloe.martin@example.com"), ("Ken Sato", "ken.sato@example.com")]
FOREIGN_RCPTS = ["sales@example.com", "j.smith@example.com", "billing@partner.example",
                 "team@example.org", "hr@example.com"]
BASE_TIME = datetime.datetime(2026, 3, 10, 9, 0, 0, tzinfo=datetime.timezone.utc)

# language: (names, domain, utc offset hours, subjects, sentences, greeting, closing, "wrote" line)
LANGS = {
    "en": (["Emily Clarke", "James O'Brien", "Sarah Miller", "David Brown"], "example.co.uk", 0,
           ["Printer on the 2nd floor is not working", "Cannot log in to the customer portal",
            "Invoice for March is wrong", "Urgent: order #48213 never arrived", "VPN disconnects every 10 minutes",
            "Request for a refund"],
           ["Since this morning the printer shows a paper jam error although there is no paper stuck.",
            "We have restarted it twice and removed the toner cartridge, but nothing changed.",
            "Our whole team depends on it for the shipping labels, so this is quite urgent for us.",
            "I tried resetting my password but the link in your email has already expired.",
            "Could you please check what is going on and let me know when it will be fixed?",
            "The invoice lists 40 licences while our contract clearly says 25.",
            "I have attached a screenshot of the error message and the log file from the device."],
           "Hello,", "Best regards,", "On {date}, {name} wrote:"),
    "de": (["Jürgen Müller", "Anna Schäfer", "Lukas Weiß", "Sabine Groß"], "example.de", 1,
           ["Drucker druckt nicht", "Rechnung März fehlerhaft", "Zugang zum Kundenportal gesperrt",
            "Dringend: Lieferung fehlt seit zwei Wochen", "Störung der VPN-Verbindung"],
           ["Seit heute Morgen druckt unser Drucker im zweiten Stock nicht mehr.",
            "Wir haben das Gerät bereits zweimal neu gestartet, leider ohne Erfolg.",
            "Die Rechnung enthält 40 Lizenzen, laut Vertrag sind es aber nur 25.",
            "Können Sie sich das bitte ansehen und mir kurz Bescheid geben?",
            "Unsere Buchhaltung benötigt die korrigierte Rechnung bis Freitag.",
            "Im Anhang finden Sie einen Screenshot der Fehlermeldung."],
           "Guten Tag,", "Mit freundlichen Grüßen", "Am {date} schrieb {name}:"),
    "fr": (["Claire Dubois", "Étienne Lefèvre", "Sophie Moreau", "Hélène Garnier"], "example.fr", 1,
           ["Facture incorrecte", "Impossible de me connecter", "Commande non reçue",
            "Problème d'imprimante au troisième étage", "Demande de remboursement"],
           ["Bonjour, notre facture de mars est incorrecte et comporte des licences en trop.",
            "Depuis ce matin, je ne parviens plus à me connecter à mon espace client.",
            "La commande passée il y a deux semaines n'est toujours pas arrivée.",
            "Pourriez-vous vérifier et me tenir informée dès que possible ?",
            "Vous trouverez ci-joint une capture d'écran du message d'erreur."],
           "Bonjour,", "Cordialement,", "Le {date}, {name} a écrit :"),
    "es": (["Lucía Fernández", "Javier Gómez", "María López"], "example.es", 1,
           ["La impresora no funciona", "Factura incorrecta", "No puedo acceder al portal",
            "Pedido no recibido"],
           ["Desde esta mañana la impresora de la segunda planta no imprime nada.",
            "Hemos reiniciado el equipo dos veces sin ningún resultado.",
            "La factura de marzo incluye cuarenta licencias, pero el contrato dice veinticinco.",
            "¿Podrían revisarlo y avisarme cuando esté solucionado?",
            "Adjunto una captura de pantalla del mensaje de error."],
           "Hola:", "Un saludo,", "El {date}, {name} escribió:"),
    "pt": (["João Silva", "Ana Souza", "Carlos Pereira"], "example.com.br", -3,
           ["Impressora não funciona", "Fatura incorreta", "Não consigo acessar o portal",
            "Pedido não entregue"],
           ["Desde hoje de manhã a impressora do segundo andar não imprime mais.",
            "Já reiniciamos o equipamento duas vezes, sem sucesso.",
            "A fatura de março está com quarenta licenças, mas o contrato prevê vinte e cinco.",
            "Vocês poderiam verificar e me avisar quando estiver resolvido?",
            "Segue em anexo uma captura de tela da mensagem de erro."],
           "Olá,", "Atenciosamente,", "Em {date}, {name} escreveu:"),
    "it": (["Giulia Rossi", "Marco Bianchi", "Francesca Esposito"], "example.it", 1,
           ["La stampante non funziona", "Fattura errata", "Impossibile accedere al portale"],
           ["Da stamattina la stampante del secondo piano non stampa più.",
            "Abbiamo già riavviato il dispositivo due volte, senza risultato.",
            "La fattura di marzo riporta quaranta licenze invece di venticinque.",
            "Potreste verificare e farmi sapere quando sarà risolto?"],
           "Buongiorno,", "Cordiali saluti,", "Il {date}, {name} ha scritto:"),
    "nl": (["Daan de Vries", "Sanne Jansen", "Pieter van Dijk"], "example.nl", 1,
           ["Printer werkt niet", "Factuur klopt niet", "Kan niet inloggen op het portaal"],
           ["Sinds vanochtend print de printer op de tweede verdieping niet meer.",
            "We hebben het apparaat al twee keer opnieuw opgestart, zonder resultaat.",
            "Op de factuur van maart staan veertig licenties in plaats van vijfentwintig.",
            "Kunt u dit bekijken en mij laten weten wanneer het is opgelost?"],
           "Goedemorgen,", "Met vriendelijke groet,", "Op {date} schreef {name}:"),
    "tr": (["Ayşe Yılmaz", "Mehmet Öztürk", "Zeynep Kaya", "Emre Şahin"], "example.com.tr", 3,
           ["Yazıcı çalışmıyor", "Fatura hatalı", "Müşteri portalına giriş yapamıyorum",
            "Acil: siparişim hâlâ teslim edilmedi"],
           ["Bu sabahtan beri ikinci kattaki yazıcı hiçbir şey yazdırmıyor.",
            "Cihazı iki kez yeniden başlattık ama sorun devam ediyor.",
            "Mart faturasında kırk lisans görünüyor, sözleşmemizde ise yirmi beş lisans var.",
            "Konuyu inceleyip çözüldüğünde bana bilgi verebilir misiniz?",
            "Hata mesajının ekran görüntüsünü ekte gönderiyorum."],
           "Merhaba,", "Saygılarımla,", "{date} tarihinde {name} şunu yazdı:"),
    "ru": (["Ольга Иванова", "Дмитрий Петров", "Анна Смирнова"], "example.ru", 3,
           ["Не работает принтер", "Ошибка в счёте", "Не могу войти в личный кабинет"],
           ["С сегодняшнего утра принтер на втором этаже ничего не печатает.",
            "Мы уже дважды перезагрузили устройство, но это не помогло.",
            "В счёте за март указано сорок лицензий, а по договору их двадцать пять.",
            "Не могли бы вы проверить и сообщить, когда проблема будет решена?"],
           "Здравствуйте!", "С уважением,", "{date}, {name} пишет:"),
    "ja": (["山田 太郎", "佐藤 花子", "鈴木 一郎"], "example.jp", 9,
           ["プリンターが動きません", "請求書の内容が間違っています", "ポータルにログインできません"],
           ["お世話になっております。今朝から二階のプリンターが印刷できなくなりました。",
            "機器を二回再起動しましたが、状況は変わりません。",
            "三月の請求書にライセンスが四十件と記載されていますが、契約では二十五件です。",
            "お手数ですが、ご確認のうえご連絡いただけますでしょうか。"],
           "", "よろしくお願いいたします。", "{date} {name} さんは書きました:"),
    "zh": (["王伟", "李娜", "张敏"], "example.cn", 8,
           ["打印机无法工作", "发票有误", "无法登录客户门户"],
           ["从今天早上开始，二楼的打印机就无法打印了。",
            "我们已经重启了两次设备，但问题依旧。",
            "三月份的发票上写的是四十个许可证，而合同上是二十五个。",
            "请帮忙检查一下，解决后请通知我。"],
           "您好，", "谢谢！", "{date}，{name} 写道："),
    "ar": (["أحمد علي", "فاطمة حسن", "محمد السيد"], "example.ae", 4,
           ["الطابعة لا تعمل", "الفاتورة غير صحيحة", "لا أستطيع الدخول إلى البوابة"],
           ["منذ صباح اليوم لا تطبع الطابعة في الطابق الثاني أي شيء.",
            "أعدنا تشغيل الجهاز مرتين دون أي نتيجة.",
            "تتضمن فاتورة مارس أربعين ترخيصاً بينما ينص العقد على خمسة وعشرين.",
            "هل يمكنكم التحقق من ذلك وإبلاغي عند حل المشكلة؟"],
           "السلام عليكم،", "مع خالص التحية،", "في {date}، كتب {name}:"),
    "ko": (["김민준", "이서연", "박지훈"], "example.kr", 9,
           ["프린터가 작동하지 않습니다", "청구서가 잘못되었습니다", "포털에 로그인할 수 없습니다"],
           ["오늘 아침부터 2층 프린터가 인쇄되지 않습니다.",
            "장비를 두 번 다시 시작했지만 문제가 계속됩니다.",
            "3월 청구서에는 라이선스가 40개로 되어 있지만 계약서에는 25개입니다.",
            "확인하신 후 해결되면 알려 주시겠습니까?"],
           "안녕하세요,", "감사합니다.", "{date}에 {name} 님이 작성:"),
    "pl": (["Katarzyna Nowak", "Piotr Wiśniewski", "Agnieszka Wójcik"], "example.pl", 1,
           ["Drukarka nie działa", "Błędna faktura", "Nie mogę zalogować się do portalu"],
           ["Od dzisiejszego ranka drukarka na drugim piętrze nic nie drukuje.",
            "Dwukrotnie uruchomiliśmy urządzenie ponownie, niestety bez skutku.",
            "Na fakturze za marzec jest czterdzieści licencji, a w umowie dwadzieścia pięć.",
            "Czy mogą Państwo to sprawdzić i dać mi znać, gdy problem zostanie rozwiązany?"],
           "Dzień dobry,", "Z poważaniem,", "W dniu {date} {name} napisał(a):"),
}
LANG_WEIGHTS = {"en": 30, "de": 12, "fr": 8, "es": 7, "pt": 5, "it": 4, "nl": 3, "tr": 8, "ru": 4,
                "ja": 5, "zh": 4, "ar": 3, "ko": 3, "pl": 4}
AGENT_LINES = ["Thank you for your patience.", "I have checked your account and corrected the invoice.",
               "A technician will visit you tomorrow morning between 9 and 11.",
               "Could you please send us the serial number of the device?",
               "The refund has been issued and should reach your account within five working days."]
NEWS_LINES = ["Discover the new features of our spring release.", "Join our webinar on data protection.",
              "Save 20% on annual plans until the end of the month.", "Read the latest customer stories."]


class Gen:
    """Builds messages; one instance per output folder, seeded by its arguments."""

    def __init__(self, kind, count, tokens):
        self.kind = kind
        self.rnd = random.Random(f"{kind}-{count}")
        self.tokens = tokens          # seed tickets: dicts (ticket, gateway, mid, customer, name, subject, lang)
        self.sent = []                # new tickets of this workload: dicts like tokens
        self.serial = 0

    # ---- pieces -------------------------------------------------------------
    def when(self, index, offset_hours):
        t = BASE_TIME + datetime.timedelta(seconds=37 * index)
        tz = datetime.timezone(datetime.timedelta(hours=offset_hours))
        return format_datetime(t.astimezone(tz))

    def msgid(self, domain):
        self.serial += 1
        return f"<{self.kind}.{self.serial}.{self.rnd.getrandbits(40):x}@{domain}>"

    def paragraph(self, lang, n):
        sentences = LANGS[lang][4]
        return " ".join(self.rnd.choice(sentences) for _ in range(n))

    def body_text(self, lang, name, target):
        """Greeting, about target bytes of paragraphs (cut to fit), closing, name."""
        greeting, closing = LANGS[lang][5], LANGS[lang][6]
        paras = []
        while sum(len(p.encode()) + 2 for p in paras) < target:
            paras.append(self.paragraph(lang, self.rnd.randint(2, 4)))
        body = "\n\n".join(paras)
        while len(body.encode()) > target and len(body) > 40:
            body = body[:max(40, len(body) - max(1, (len(body.encode()) - target) // 3))]
        parts = ([greeting] if greeting else []) + [body, closing, name, ""]
        return "\n\n".join(parts)

    def cte(self):
        """How the text travels: most clients use quoted-printable, some 8bit or base64."""
        return self.rnd.choices(["quoted-printable", "8bit", "base64"], weights=[5, 3, 2])[0]

    def html_of(self, text):
        paras = "".join(f"<p style=\"margin:0 0 12px 0;font-family:Calibri,Arial\">{p}</p>\n"
                        for p in text.split("\n\n") if p)
        return f"<html><head><meta charset=\"utf-8\"></head><body>\n{paras}</body></html>\n"

    def attach(self, msg, size):
        kind = self.rnd.choice(["pdf", "png", "log"])
        if kind == "log":
            line = "2026-03-10T08:59:{:02d}Z spooler[812]: job {} failed: paper jam (tray 2)\n"
            data = "".join(line.format(i % 60, 4000 + i) for i in range(size // 60 + 1))[:size]
            msg.add_attachment(data, subtype="plain", filename="spooler.log")
        else:
            data = self.rnd.randbytes(size)
            sub = "pdf" if kind == "pdf" else "png"
            maintype = "application" if kind == "pdf" else "image"
            msg.add_attachment(data, maintype=maintype, subtype=sub,
                               filename="invoice-march.pdf" if kind == "pdf" else "error.png")

    def base(self, index, from_name, from_addr, to, subject, offset, mid=None, extra=None):
        msg = EmailMessage(policy=policy.SMTP)
        msg["From"] = f"{from_name} <{from_addr}>" if from_name else from_addr
        msg["To"] = to
        msg["Subject"] = subject
        msg["Date"] = self.when(index, offset)
        msg["Message-ID"] = mid or self.msgid(from_addr.split("@")[1])
        msg["MIME-Version"] = "1.0"
        for k, v in (extra or []):
            msg[k] = v
        return msg

    # ---- kinds --------------------------------------------------------------
    def customer(self, index, lang):
        names, domain = LANGS[lang][0], LANGS[lang][1]
        name = self.rnd.choice(names)
        local = f"c{self.kind}{index}"
        return name, f"{local}@{domain}"

    def sized(self, index, build, size):
        """build(text_bytes, pad) -> message.  Without a size, built once.
        With one, the text is about a quarter of size and an ASCII
        disclaimer of pad characters fills the rest: rebuilt (with the same
        random choices each time) until within 3% of size bytes."""
        if not size:
            return build(None, 0)
        saved, pad, target, best = self.rnd, 0, size // 4, None
        for _ in range(16):
            self.rnd = random.Random(f"{self.kind}-{index}-body")
            msg = build(target, pad)
            n = len(msg.as_bytes(policy=policy.SMTP.clone(linesep="\n")))
            if best is None or abs(n - size) < best[0]:
                best = (abs(n - size), msg)
            if abs(n - size) <= size * 0.03:
                break
            if n > size and pad == 0:
                target //= 2         # the text alone is too big (QP of CJK, Cyrillic...)
            else:
                pad = max(0, pad + (size - n) // 3)
        self.rnd = saved
        return best[1]

    def disclaimer(self, pad):
        text = ("This e-mail and any attachments are confidential and intended solely for the "
                "addressee. If you have received it in error, please notify the sender and delete it. ")
        return "" if pad <= 0 else "\n--\n" + (text * (pad // len(text) + 1))[:pad] + "\n"

    def new_ticket(self, index, to=QUEUE, size=None):
        lang = self.rnd.choices(list(LANG_WEIGHTS), weights=list(LANG_WEIGHTS.values()))[0]
        name, addr = self.customer(index, lang)
        subject = self.rnd.choice(LANGS[lang][3])
        extra = []
        if self.rnd.random() < 0.1:
            extra.append(("X-Priority", "1 (Highest)"))
        if self.rnd.random() < 0.3:
            extra.append(("User-Agent", "Mozilla/5.0 Thunderbird/115.8.0"))
        mid = self.msgid(LANGS[lang][1])

        def build(target, pad):
            msg = self.base(index, name, addr, to, subject, LANGS[lang][2], mid=mid, extra=extra)
            text = self.body_text(lang, name, target or self.rnd.choice([700, 1200, 2000, 3500, 6000]))
            text += self.disclaimer(pad)
            msg.set_content(text, cte=self.cte())
            if target or self.rnd.random() < 0.4:
                msg.add_alternative(self.html_of(text), subtype="html", cte=self.cte())
            if not target and self.rnd.random() < 0.2:
                msg.make_mixed()
                self.attach(msg, self.rnd.randint(14_000, 145_000))
            return msg
        msg = self.sized(index, build, size)
        if to == QUEUE:
            self.sent.append({"ticket": None, "gateway": None, "mid": mid, "customer": addr,
                              "name": name, "subject": subject, "lang": lang, "index": index,
                              "refs": []})
        return addr, [to], msg, "new"

    def earlier(self, index, distance):
        """A conversation started at least `distance` messages ago, or a seed ticket."""
        ready = [s for s in self.sent if s["index"] <= index - distance]
        if ready and self.rnd.random() < 0.6:
            return self.rnd.choice(ready)
        return self.rnd.choice(self.tokens)

    def quoted(self, conv, text):
        lang = conv["lang"]
        head = LANGS[lang][7].format(date=self.when(0, 0), name=conv["name"])
        return head + "\n" + "\n".join("> " + line for line in text.splitlines()) + "\n"

    def follow_up(self, index, size=None):
        """The customer answers in the same thread: In-Reply-To and References."""
        conv = self.earlier(index, 60)
        lang = conv["lang"]
        refs = conv["refs"] + [conv["mid"]]
        mid = self.msgid(conv["customer"].split("@")[1])

        def build(target, pad):
            msg = self.base(index, conv["name"], conv["customer"], QUEUE, "Re: " + conv["subject"],
                            LANGS[lang][2], mid=mid,
                            extra=[("In-Reply-To", conv["mid"]), ("References", " ".join(refs[-10:]))])
            text = self.body_text(lang, conv["name"], target // 2 if target else self.rnd.choice([300, 600, 1200]))
            text += "\n" + self.quoted(conv, self.paragraph(lang, 2 if target else 4))
            text += self.disclaimer(pad)
            msg.set_content(text, cte=self.cte())
            if target or self.rnd.random() < 0.3:
                msg.add_alternative(self.html_of(text), subtype="html", cte=self.cte())
            return msg
        msg = self.sized(index, build, size)
        conv["refs"] = refs
        conv["mid"] = mid
        return conv["customer"], [QUEUE], msg, "follow-up"

    def tag_follow_up(self, index):
        """The customer writes again with only the tag in the subject."""
        conv = self.rnd.choice(self.tokens)
        subject = f"Re: [{conv['ticket']}] {conv['subject']}"
        msg = self.base(index, conv["name"], conv["customer"], QUEUE, subject, LANGS[conv["lang"]][2])
        msg.set_content(self.body_text(conv["lang"], conv["name"], 600), cte=self.cte())
        return conv["customer"], [QUEUE], msg, "tag-follow-up"

    def agent_reply(self, index, size=None):
        """An agent answers the ticket mail: to its Reply-To, the signed
        gateway address support+TOKEN@ (ticket-milter, which knows the
        agents, turns it into the reply to the customer)."""
        conv = self.rnd.choice(self.tokens)
        agent_name, agent = self.rnd.choice(AGENTS)
        subject = f"Re: [{conv['ticket']}] {conv['subject']}"
        lines = self.rnd.sample(AGENT_LINES, 3)
        mid = self.msgid("example.com")

        def build(target, pad):
            msg = self.base(index, agent_name, agent, f"Example Support <{conv['gateway']}>", subject, 1,
                            mid=mid, extra=[("In-Reply-To", conv["mid"]), ("References", conv["mid"])])
            text = "\n".join([f"Dear {conv['name']},", ""] + lines + ["", agent_name, "Example Support"]) + "\n"
            text += "\n" + self.quoted(conv, self.paragraph(conv["lang"], 3))
            text += self.disclaimer(pad)
            msg.set_content(text, cte=self.cte())
            if target or self.rnd.random() < 0.5:
                msg.add_alternative(self.html_of(text), subtype="html", cte=self.cte())
            return msg
        return agent, [conv["gateway"]], self.sized(index, build, size), "agent-reply"

    def bounce(self, index):
        """A delivery status notification (RFC 3464) for one of our acknowledgements."""
        original = self.rnd.choice(self.tokens)
        boundary = f"bounce-{self.rnd.getrandbits(48):x}"
        mid = self.msgid("mx.example.net")
        raw = (f"From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\n"
               f"To: {QUEUE}\nSubject: Undelivered Mail Returned to Sender\n"
               f"Date: {self.when(index, 0)}\nMessage-ID: {mid}\nAuto-Submitted: auto-replied\n"
               f"MIME-Version: 1.0\n"
               f"Content-Type: multipart/report; report-type=delivery-status; boundary=\"{boundary}\"\n\n"
               f"--{boundary}\nContent-Type: text/plain; charset=us-ascii\n\n"
               "This is the mail system at host mx.example.net.\n\n"
               "I'm sorry to have to inform you that your message could not\n"
               "be delivered to one or more recipients.\n\n"
               f"<{original['customer']}>: host mx.example.net said: 550 5.1.1 User unknown\n\n"
               f"--{boundary}\nContent-Type: message/delivery-status\n\n"
               "Reporting-MTA: dns; mx.example.net\nArrival-Date: " + self.when(index, 0) + "\n\n"
               f"Final-Recipient: rfc822; {original['customer']}\nAction: failed\nStatus: 5.1.1\n"
               "Diagnostic-Code: smtp; 550 5.1.1 User unknown\n\n"
               f"--{boundary}\nContent-Type: text/rfc822-headers\n\n"
               f"From: Example Support <{QUEUE}>\nTo: {original['customer']}\n"
               f"Subject: [{original['ticket']}] We have received your request\n"
               f"Message-ID: <tm.{original['ticket'].lower()}.x@support.example.com>\n"
               "Auto-Submitted: auto-replied\n\n"
               f"--{boundary}--\n")
        msg = email.message_from_string(raw, policy=policy.SMTP)
        return "<>", [QUEUE], msg, "bounce"

    def list_mail(self, index):
        msg = self.base(index, "Vendor News", "news@lists.vendor.example", QUEUE,
                        "Spring release: what's new", 0,
                        extra=[("List-Id", "Vendor News <news.lists.vendor.example>"),
                               ("List-Unsubscribe", "<mailto:unsubscribe@lists.vendor.example>"),
                               ("Precedence", "bulk")])
        text = "\n\n".join(self.rnd.choice(NEWS_LINES) for _ in range(self.rnd.randint(20, 80)))
        msg.set_content(text, cte=self.cte())
        msg.add_alternative(self.html_of(text) * self.rnd.randint(3, 8), subtype="html")
        return f"bounces+{index}@lists.vendor.example", [QUEUE], msg, "list"

    def foreign(self, index):
        to = self.rnd.choice(FOREIGN_RCPTS)
        sender, _, msg, _ = self.new_ticket(index, to=to)
        return sender, [to], msg, "foreign"

    # ---- the mixes ----------------------------------------------------------
    def next_message(self, index):
        r = self.rnd.random()
        if self.kind == "seed":
            return self.new_ticket(index)
        if self.kind == "foreign":
            return self.foreign(index)
        if self.kind == "10k":
            if r < 0.6:
                return self.new_ticket(index, size=10240)
            if r < 0.85:
                return self.follow_up(index, size=10240)
            return self.agent_reply(index, size=10240)
        if r < 0.40:
            return self.new_ticket(index)
        if r < 0.62:
            return self.follow_up(index)
        if r < 0.67:
            return self.tag_follow_up(index)
        if r < 0.82:
            return self.agent_reply(index)
        if r < 0.90:
            return self.bounce(index)
        return self.list_mail(index)


def load_tokens(path):
    tokens = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            ticket, gateway, mid, customer, name, subject, lang = line.rstrip("\n").split("\t")
            tokens.append({"ticket": ticket, "gateway": gateway, "mid": mid, "customer": customer,
                           "name": name, "subject": subject, "lang": lang, "index": -1, "refs": []})
    return tokens


def main(argv):
    if len(argv) < 4 or argv[1] not in ("seed", "mixed", "10k", "foreign"):
        sys.exit(__doc__)
    kind, out, count = argv[1], argv[2], int(argv[3])
    tokens = load_tokens(argv[4]) if kind != "seed" else []
    gen = Gen(kind, count, tokens)
    random.seed(f"boundaries-{kind}-{count}")   # email.generator draws MIME boundaries from it
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "index.tsv"), "w") as index, open(os.path.join(out, "meta.tsv"), "w") as meta:
        for i in range(1, count + 1):
            sender, rcpts, msg, what = gen.next_message(i)
            path = os.path.join(out, f"{i:05d}.eml")
            data = msg.as_bytes(policy=policy.SMTP.clone(linesep="\n"))
            with open(path, "wb") as f:
                f.write(data)
            index.write(f"{path}\t{sender}\t{','.join(rcpts)}\n")
            meta.write(f"{i}\t{what}\t{len(data)}\t{msg['Message-ID'].strip('<>')}\n")
    if kind == "seed":
        # What the token harvest needs besides the sink: name, subject and
        # language of each seed ticket, by Message-ID.
        with open(os.path.join(out, "seed-info.tsv"), "w", encoding="utf-8") as f:
            for s in gen.sent:
                f.write(f"{s['mid'].strip('<>')}\t{s['customer']}\t{s['name']}\t{s['subject']}\t{s['lang']}\n")


if __name__ == "__main__":
    main(sys.argv)
