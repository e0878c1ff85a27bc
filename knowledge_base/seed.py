"""Seed content of the knowledge base: the Persian translation of the knowledge-base index, a
help page for every built-in module (English source + Persian translation through
wagtail-localize) and a getting-started FAQ. Used by `manage.py demo`; idempotent (creates
what is missing, never overwrites what operators edited)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from wagtail.models import Locale, Page

from .actions import translate
from .models import FAQPage, HelpPage, KnowledgeBaseIndexPage

#: (tag, English, Persian) blocks of a page body; "li" blocks are grouped into one list.
Block = tuple[str, str, str]

INDEX_FA = {
    "Knowledge base": "راهنما",
    "How to use Zargar: guides for shop owners and staff.": "راهنمای کار با زرگر برای صاحبان و کارکنان فروشگاه.",
}

HELP_PAGES: list[dict] = [
    {
        "slug": "inventory",
        "title": ("Inventory", "موجودی کالا"),
        "summary": ("Add, find and value the items in your shop.", "افزودن، یافتن و ارزش‌گذاری کالاهای فروشگاه."),
        "body": [
            ("p", "The inventory lists every stock item of your shop with its SKU, karat, gross and net weight in grams, quantity and price.",
             "فهرست موجودی همهٔ کالاهای فروشگاه را با کد کالا، عیار، وزن ناخالص و خالص به گرم، تعداد و قیمت نشان می‌دهد."),
            ("p", "Net weight is the weight of the metal alone, without stones, so it can never be more than the gross weight. SKUs are unique within a shop.",
             "وزن خالص وزن فلز به‌تنهایی و بدون سنگ است، پس هرگز از وزن ناخالص بیشتر نیست. کد کالا در هر فروشگاه یکتاست."),
            ("h2", "Everyday tasks", "کارهای روزانه"),
            ("li", "Add an item with “Add item”; print its tag to scan it at the sale screen.", "با «افزودن کالا» کالای تازه ثبت کنید و برچسب آن را برای اسکن در صفحهٔ فروش چاپ کنید."),
            ("li", "Stock movements show every receipt, sale, return and adjustment of an item, with who made it.", "گردش موجودی هر ورود، فروش، مرجوعی و اصلاح یک کالا را همراه با انجام‌دهندهٔ آن نشان می‌دهد."),
            ("li", "Filter the list by karat or category, or search by SKU or name.", "فهرست را بر پایهٔ عیار یا دسته صافی کنید، یا با کد کالا یا نام جست‌وجو کنید."),
        ],
    },
    {
        "slug": "rates",
        "title": ("Gold rates", "نرخ طلا"),
        "summary": ("Keep the board rates current and price pieces from them.", "نرخ‌های تابلو را به‌روز نگه دارید و قیمت قطعه‌ها را از روی آن‌ها حساب کنید."),
        "body": [
            ("p", "The rate board shows the buy and sell rate of every purity, per gram, in your shop's currency. Each new rate is kept in the history; nothing is overwritten.",
             "تابلوی نرخ، نرخ خرید و فروش هر عیار را برای هر گرم و به واحد پول فروشگاه نشان می‌دهد. هر نرخ تازه در تاریخچه می‌ماند و چیزی بازنویسی نمی‌شود."),
            ("p", "Enter rates by hand or let the rate feed update them. The sale screen always prices pieces from the latest board rate.",
             "نرخ‌ها را دستی وارد کنید یا بگذارید سرویس نرخ آن‌ها را به‌روز کند. صفحهٔ فروش همیشه قیمت قطعه‌ها را با آخرین نرخ تابلو حساب می‌کند."),
            ("h2", "Quotes and alerts", "پیش‌فاکتور و هشدار"),
            ("li", "“Price a piece” gives a quote from weight, purity, making charge and VAT; a quote can be locked for a while so the customer keeps the price.",
             "«قیمت‌گذاری قطعه» از روی وزن، عیار، اجرت و مالیات بر ارزش افزوده قیمت می‌دهد؛ می‌توان قیمت را برای مدتی قفل کرد تا برای مشتری ثابت بماند."),
            ("li", "Rate alerts tell you when a rate goes above or below the level you set.", "هشدار نرخ وقتی نرخ از حدی که تعیین کرده‌اید بالاتر یا پایین‌تر برود به شما خبر می‌دهد."),
        ],
    },
    {
        "slug": "pos",
        "title": ("Point of sale", "صندوق فروش"),
        "summary": ("Ring up sales, take split payments, exchange old gold and print receipts.", "ثبت فروش، پرداخت چندگانه، تعویض طلای کهنه و چاپ رسید."),
        "body": [
            ("p", "Open the sale screen and scan each piece's tag, or type its SKU. Every line is priced from the live board rate, with the making charge and VAT.",
             "صفحهٔ فروش را باز کنید و برچسب هر قطعه را اسکن کنید یا کد آن را بنویسید. هر ردیف با نرخ روز تابلو، همراه با اجرت و مالیات بر ارزش افزوده قیمت‌گذاری می‌شود."),
            ("p", "Split the payment between cash, card and store credit; the sale completes only when the payments cover the total.",
             "پرداخت را میان نقد، کارت و اعتبار مشتری تقسیم کنید؛ فروش تنها وقتی کامل می‌شود که پرداخت‌ها کل مبلغ را بپوشانند."),
            ("h2", "Good to know", "خوب است بدانید"),
            ("li", "Hold a sale to serve another customer and resume it later.", "می‌توانید فروشی را نگه دارید، به مشتری دیگری برسید و بعد آن را ادامه دهید."),
            ("li", "Old gold brought in by the customer is weighed and deducted from the total.", "طلای کهنه‌ای که مشتری می‌آورد وزن می‌شود و از مبلغ کل کم می‌شود."),
            ("li", "Returns refund the chosen lines and put the pieces back in stock; a sale can be voided on the same day by an admin.",
             "مرجوعی مبلغ ردیف‌های انتخاب‌شده را برمی‌گرداند و قطعه‌ها را به موجودی بازمی‌گرداند؛ مدیر می‌تواند فروش را در همان روز باطل کند."),
        ],
    },
    {
        "slug": "customers",
        "title": ("Customers", "مشتریان"),
        "summary": ("Customer records, purchase history and store credit.", "پروندهٔ مشتری، سابقهٔ خرید و اعتبار فروشگاه."),
        "body": [
            ("p", "Each customer has contact details, notes, marketing consent and the history of their purchases and returns.",
             "هر مشتری اطلاعات تماس، یادداشت، رضایت برای پیام‌های تبلیغاتی و سابقهٔ خریدها و مرجوعی‌هایش را دارد."),
            ("p", "Phone numbers are stored in international form, so the same customer is found however the number was typed. A phone number or email can belong to one customer only.",
             "شماره‌های تلفن به شکل بین‌المللی ذخیره می‌شوند تا مشتری با هر شکلی از نوشتن شماره پیدا شود. هر شماره تلفن یا ایمیل تنها به یک مشتری تعلق دارد."),
            ("h2", "Store credit", "اعتبار فروشگاه"),
            ("li", "Issue store credit for a refund or as a gift; it is used as a payment at the sale screen.", "برای بازپرداخت یا به‌عنوان هدیه اعتبار صادر کنید؛ این اعتبار در صفحهٔ فروش به‌عنوان پرداخت به کار می‌رود."),
            ("li", "The balance is the sum of all credit entries and can never go below zero.", "مانده جمع همهٔ ردیف‌های اعتبار است و هرگز منفی نمی‌شود."),
        ],
    },
    {
        "slug": "accounting",
        "title": ("Accounting", "حسابداری"),
        "summary": ("Double-entry books kept for you: journal, chart of accounts and statements.", "دفاتر دوطرفه که برای شما نگه داشته می‌شود: دفتر روزنامه، سرفصل حساب‌ها و صورت‌های مالی."),
        "body": [
            ("p", "Every sale, return, stock receipt and store-credit change posts a balanced journal entry on its own, so your books are always up to date.",
             "هر فروش، مرجوعی، ورود کالا و تغییر اعتبار مشتری خودبه‌خود یک سند روزنامهٔ تراز ثبت می‌کند تا دفاتر شما همیشه به‌روز باشند."),
            ("p", "Posted entries are locked. To correct one, post a reversing entry rather than editing it.",
             "سندهای ثبت‌شده قفل هستند. برای اصلاح یک سند، به جای ویرایش آن یک سند معکوس ثبت کنید."),
            ("h2", "Reports", "گزارش‌ها"),
            ("li", "The journal lists every entry with its lines and the document it came from.", "دفتر روزنامه هر سند را با ردیف‌هایش و مدرکی که از آن آمده نشان می‌دهد."),
            ("li", "The balance sheet and income statement are computed from the posted entries for any date range.", "ترازنامه و صورت سود و زیان برای هر بازهٔ زمانی از سندهای ثبت‌شده محاسبه می‌شوند."),
        ],
    },
]

FAQ = {
    "slug": "faq",
    "title": ("Frequently asked questions", "پرسش‌های پرتکرار"),
    "intro": ("Quick answers for new shops.", "پاسخ‌های کوتاه برای فروشگاه‌های تازه‌کار."),
    "items": [
        ("How do I switch the panel to Persian?", "چطور پنل را فارسی کنم؟",
         "Use the English/فارسی switch at the top of every page; your choice is remembered for your account.",
         "از کلید English/فارسی در بالای هر صفحه استفاده کنید؛ انتخاب شما برای حسابتان به خاطر سپرده می‌شود."),
        ("Can one person work in two shops?", "آیا یک نفر می‌تواند در دو فروشگاه کار کند؟",
         "Yes. Invite them from Members in each shop; they switch shops from the menu at the top of the sidebar.",
         "بله. از بخش اعضا در هر فروشگاه دعوتشان کنید؛ آن‌ها از منوی بالای نوار کناری میان فروشگاه‌ها جابه‌جا می‌شوند."),
        ("Why must operators use two-factor authentication?", "چرا اپراتورها باید ورود دومرحله‌ای داشته باشند؟",
         "Operators can see every shop, so their accounts are protected with an authenticator app. Shop users can turn it on too, under Two-factor authentication.",
         "اپراتورها به همهٔ فروشگاه‌ها دسترسی دارند، پس حسابشان با برنامهٔ احراز هویت محافظت می‌شود. کاربران فروشگاه هم می‌توانند آن را از بخش ورود دومرحله‌ای فعال کنند."),
    ],
}


def _html(blocks: list[Block], lang: int) -> str:
    out, items = [], []
    for tag, *texts in blocks + [("end", "", "")]:
        if tag == "li":
            items.append(texts[lang])
            continue
        if items:
            out.append("<ul>" + "".join(f"<li>{t}</li>" for t in items) + "</ul>")
            items = []
        if tag != "end":
            out.append(f"<{tag}>{texts[lang]}</{tag}>")
    return "".join(out)


def _pairs(*pairs) -> dict[str, str]:
    return {en: fa for en, fa in pairs}


def ensure_locales() -> None:
    """A `Locale` for every content language (the migration does it; `flush` removes them)."""
    for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES:
        Locale.objects.get_or_create(language_code=code)


def _publish(parent, page, user):
    parent.add_child(instance=page)
    page.save_revision(user=user).publish(user=user)
    return page


def _translated(page) -> bool:
    return page.get_translations().filter(locale__language_code="fa").exists()


def seed_knowledge_base(index: KnowledgeBaseIndexPage, user) -> int:
    """Add the missing help pages and FAQ under the English `index`, and the Persian
    translations of the index and of each seeded page that has none. Returns the number of
    pages created (translations included)."""
    ensure_locales()
    created = 0
    if not _translated(index):
        translate(index, "fa", INDEX_FA, user=user)
        created += 1
    for spec in HELP_PAGES:
        page = index.get_children().filter(slug=spec["slug"]).specific().first()
        if page is None:
            page = _publish(index, HelpPage(
                title=spec["title"][0], slug=spec["slug"], summary=spec["summary"][0],
                body=_html(spec["body"], 0), module_key=spec["slug"], owner=user,
            ), user)
            created += 1
        if not _translated(page):
            strings = _pairs(spec["title"], spec["summary"], *((en, fa) for _t, en, fa in spec["body"]))
            try:
                translate(page, "fa", strings, user=user)
                created += 1
            except ValueError:
                pass  # an operator changed the English page: they translate it in the CMS
    faq = index.get_children().filter(slug=FAQ["slug"]).specific().first()
    if faq is None:
        faq = _publish(index, FAQPage(
            title=FAQ["title"][0], slug=FAQ["slug"], intro=f"<p>{FAQ['intro'][0]}</p>", owner=user,
            items=[{"type": "item", "value": {"question": q, "answer": f"<p>{a}</p>"}} for q, _qf, a, _af in FAQ["items"]],
        ), user)
        created += 1
    if not _translated(faq):
        strings = _pairs(FAQ["title"], FAQ["intro"], *((q, qf) for q, qf, _a, _af in FAQ["items"]), *((a, af) for _q, _qf, a, af in FAQ["items"]))
        try:
            translate(faq, "fa", strings, user=user)
            created += 1
        except ValueError:
            pass
    # wagtail-localize publishes each translation when the transaction commits, from the page
    # object it had in memory: the Persian index, translated before its children existed, would be
    # saved back with no children (treebeard's `numchild` = 0), and Wagtail would then route every
    # Persian help URL to the English page. Recount the children after those publications.
    transaction.on_commit(lambda: Page.fix_tree(parent=index.get_parent()))
    return created
