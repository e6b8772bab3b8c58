# The chat widget's texts in Arabic, as the visitor sees them (reference:
# locales/en/widget.ftl; every language has exactly the same message ids).
# Placeables: { $name } an agent's name, { $case } the chat's name,
# { $max } a size in MB, { $type } a file type, { $count } a number.

## The frame and the launcher
frame-title = الدردشة · { $case }
chat-label = الدردشة
greeting = نرد عادةً خلال دقائق
open-chat = فتح الدردشة
close-chat = إغلاق الدردشة
minimise = تصغير الدردشة
dismiss = إغلاق
attach = إرسال ملف
message-label = الرسالة
placeholder = اكتب رسالة…
send = إرسال
log-label = الرسائل

## Lines in the conversation
agent-joined = انضم { $name } إلى الدردشة
ended = انتهت المحادثة. يمكنك الكتابة مجددًا لبدء محادثة جديدة.
sent-a-file = (أرسل ملفًا)
shield-warning = يُرجى الالتزام بأسلوب محترم في المحادثة. الرسائل التي تحتوي على ألفاظ مسيئة لا تظهر لفريقنا.

## Screen sharing
share-asks = يطلب { $name } رؤية شاشتك.
share-yes = مشاركة شاشتي
share-no = لا، شكرًا
share-accepted = وافقت على مشاركة شاشتك.
share-declined = رفضت مشاركة شاشتك.
share-bar = تتم الآن مشاركة شاشتك
share-stop = إيقاف
share-ended = انتهت مشاركة الشاشة.
share-failed = لم تتم مشاركة شاشتك.
share-unsupported = لا يستطيع هذا المتصفح مشاركة الشاشة.

## The survey
survey-question = كيف كانت تجربتك في هذه الدردشة؟
survey-stars = { $count ->
    [zero] { $count } نجمة
    [one] { $count } نجمة
    [two] { $count } نجمتان
    [few] { $count } نجوم
    [many] { $count } نجمة
   *[other] { $count } نجمة
}
survey-comment = هل لديك ما تضيفه؟ (اختياري)
survey-send = إرسال الملاحظات
survey-thanks = شكرًا لك على ملاحظاتك!

## Errors
error-generic = حدث خطأ ما. يُرجى المحاولة مرة أخرى.
error-unavailable = هذه الدردشة غير متاحة.
error-not-found = غير موجود.
error-no-visitor = تعذّر على الدردشة التعرّف على هذا المتصفح. يُرجى السماح بملفات تعريف الارتباط لهذا الموقع ثم إعادة تحميل الصفحة.
error-reload = يُرجى إعادة تحميل الصفحة والمحاولة مرة أخرى.
error-starting = جارٍ تشغيل الدردشة. يُرجى المحاولة مرة أخرى بعد قليل.
error-slow-down = يُرجى الانتظار قليلًا قبل إرسال المزيد من الرسائل.
error-message-empty = يُرجى كتابة رسالة أولًا.
error-message-long = لا يمكن أن تتجاوز الرسالة 4000 حرف.
error-closed = انتهت هذه المحادثة.
error-rating = يُرجى اختيار تقييم من 1 إلى 5.
error-comment-long = لا يمكن أن يتجاوز التعليق 2000 حرف.
error-no-survey = لا يوجد استطلاع للإجابة عنه.
error-survey-answered = تمت الإجابة عن الاستطلاع بالفعل. شكرًا لك!
error-no-share = لا يوجد طلب لمشاركة الشاشة للرد عليه.
error-upload-unreadable = تعذّرت قراءة الملف المرفوع. يُرجى المحاولة مرة أخرى.
error-choose-file = يُرجى اختيار ملف لإرساله.

## File refusals
file-not-sent = لم يتم إرسال الملف { $file }. { $reason }.
file-empty = هذا الملف فارغ
file-too-large = هذا الملف كبير جدًا: الحد الأقصى هو { $max } ميغابايت
file-mismatch = محتوى هذا الملف لا يتطابق مع اسمه
file-disguised = يُخفي هذا الملف محتوى آخر بداخله، لذا لا يمكن إرساله
file-not-allowed = لا تُقبل الملفات من هذا النوع ({ $type }) في هذه الدردشة

## File types, as named in file-not-allowed
file-type-images = الصور
file-type-documents = المستندات
file-type-archives = الملفات المضغوطة
file-type-executables = الملفات التنفيذية
file-type-scripts = النصوص البرمجية
file-type-other = ملفات أخرى
