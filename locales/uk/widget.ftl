# The chat widget's texts in Ukrainian, as the visitor sees them (reference:
# locales/en/widget.ftl; every language has exactly the same message ids).
# Placeables: { $name } an agent's name, { $case } the chat's name,
# { $max } a size in MB, { $type } a file type, { $count } a number.

## The frame and the launcher
frame-title = Чат · { $case }
chat-label = Чат
greeting = Зазвичай ми відповідаємо протягом кількох хвилин
open-chat = Відкрити чат
close-chat = Закрити чат
minimise = Згорнути чат
dismiss = Закрити
attach = Надіслати файл
message-label = Повідомлення
placeholder = Напишіть повідомлення…
send = Надіслати
log-label = Повідомлення

## Lines in the conversation
agent-joined = { $name } приєднується до чату
ended = Розмову завершено. Напишіть нам знову, щоб почати нову.
sent-a-file = (надіслано файл)
shield-warning = Будь ласка, дотримуйтеся шанобливого тону. Повідомлення з образливими висловами приховуються від нашої команди.

## Screen sharing
share-asks = { $name } просить показати ваш екран.
share-yes = Показати мій екран
share-no = Ні, дякую
share-accepted = Ви погодилися показати свій екран.
share-declined = Ви відмовилися показувати свій екран.
share-bar = Ви показуєте свій екран
share-stop = Зупинити
share-ended = Показ екрана завершено.
share-failed = Ваш екран не було показано.
share-unsupported = Цей браузер не може показати екран.

## The survey
survey-question = Як ви оцінюєте цей чат?
survey-stars = { $count ->
    [one] { $count } зірка
    [few] { $count } зірки
    [many] { $count } зірок
   *[other] { $count } зірки
}
survey-comment = Бажаєте щось додати? (необов’язково)
survey-send = Надіслати відгук
survey-thanks = Дякуємо за ваш відгук!

## Errors
error-generic = Щось пішло не так. Спробуйте ще раз.
error-unavailable = Цей чат недоступний.
error-not-found = Не знайдено.
error-no-visitor = Чату не вдалося розпізнати цей браузер. Дозвольте файли cookie для цього сайту й перезавантажте сторінку.
error-reload = Перезавантажте сторінку й спробуйте ще раз.
error-starting = Чат запускається. Спробуйте ще раз за мить.
error-slow-down = Зачекайте трохи, перш ніж надсилати нові повідомлення.
error-message-empty = Спочатку введіть повідомлення.
error-message-long = Повідомлення може містити не більше ніж 4000 символів.
error-closed = Цю розмову завершено.
error-rating = Виберіть оцінку від 1 до 5.
error-comment-long = Коментар може містити не більше ніж 2000 символів.
error-no-survey = Немає опитування, на яке можна відповісти.
error-survey-answered = Ви вже відповіли на опитування. Дякуємо!
error-no-share = Немає запиту на показ екрана, на який можна відповісти.
error-upload-unreadable = Не вдалося прочитати завантажений файл. Спробуйте ще раз.
error-choose-file = Виберіть файл для надсилання.

## File refusals
file-not-sent = Файл { $file } не надіслано. { $reason }.
file-empty = Цей файл порожній
file-too-large = Цей файл завеликий: максимальний розмір — { $max } МБ
file-mismatch = Вміст цього файлу не відповідає його назві
file-disguised = Цей файл приховує в собі інший вміст, тому його не можна надіслати
file-not-allowed = Файли цього типу ({ $type }) не приймаються в цьому чаті

## File types, as named in file-not-allowed
file-type-images = Зображення
file-type-documents = Документи
file-type-archives = Архіви
file-type-executables = Виконувані файли
file-type-scripts = Скрипти
file-type-other = Інші файли
