# The chat widget's texts in Turkish, as the visitor sees them (reference:
# locales/en/widget.ftl; every language has exactly the same message ids).
# Placeables: { $name } an agent's name, { $case } the chat's name,
# { $max } a size in MB, { $type } a file type, { $count } a number.

## The frame and the launcher
frame-title = Sohbet · { $case }
chat-label = Sohbet
greeting = Genellikle birkaç dakika içinde yanıt veriyoruz
open-chat = Sohbeti aç
close-chat = Sohbeti kapat
minimise = Sohbeti küçült
dismiss = Kapat
attach = Dosya gönder
message-label = Mesaj
placeholder = Bir mesaj yazın…
send = Gönder
log-label = Mesajlar

## Lines in the conversation
agent-joined = { $name } sohbete katıldı
ended = Görüşme sona erdi. Yeni bir görüşme başlatmak için bize tekrar yazabilirsiniz.
sent-a-file = (bir dosya gönderdi)
shield-warning = Lütfen görüşmede saygılı bir dil kullanın. Kırıcı ifadeler içeren mesajlar ekibimize gösterilmez.

## Screen sharing
share-asks = { $name } ekranınızı görmek istiyor.
share-yes = Ekranımı paylaş
share-no = Hayır, teşekkürler
share-accepted = Ekranınızı paylaşmayı kabul ettiniz.
share-declined = Ekranınızı paylaşmayı reddettiniz.
share-bar = Ekranınızı paylaşıyorsunuz
share-stop = Durdur
share-ended = Ekran paylaşımı sona erdi.
share-failed = Ekranınız paylaşılmadı.
share-unsupported = Bu tarayıcı ekranı paylaşamaz.

## The survey
survey-question = Bu sohbeti nasıl değerlendirirsiniz?
survey-stars = { $count ->
   *[other] { $count } yıldız
}
survey-comment = Eklemek istediğiniz bir şey var mı? (isteğe bağlı)
survey-send = Geri bildirim gönder
survey-thanks = Geri bildiriminiz için teşekkür ederiz!

## Errors
error-generic = Bir sorun oluştu. Lütfen tekrar deneyin.
error-unavailable = Bu sohbet kullanılamıyor.
error-not-found = Bulunamadı.
error-no-visitor = Sohbet bu tarayıcıyı tanıyamadı. Lütfen bu site için çerezlere izin verin ve sayfayı yeniden yükleyin.
error-reload = Lütfen sayfayı yeniden yükleyip tekrar deneyin.
error-starting = Sohbet başlatılıyor. Lütfen birazdan tekrar deneyin.
error-slow-down = Lütfen daha fazla mesaj göndermeden önce biraz bekleyin.
error-message-empty = Lütfen önce bir mesaj yazın.
error-message-long = Bir mesaj en fazla 4000 karakter olabilir.
error-closed = Bu görüşme sona erdi.
error-rating = Lütfen 1 ile 5 arasında bir puan seçin.
error-comment-long = Bir yorum en fazla 2000 karakter olabilir.
error-no-survey = Yanıtlanacak bir anket yok.
error-survey-answered = Anket zaten yanıtlandı. Teşekkür ederiz!
error-no-share = Yanıtlanacak bir ekran paylaşımı isteği yok.
error-upload-unreadable = Yüklenen dosya okunamadı. Lütfen tekrar deneyin.
error-choose-file = Lütfen göndermek için bir dosya seçin.

## File refusals
file-not-sent = { $file } gönderilemedi. { $reason }.
file-empty = Bu dosya boş
file-too-large = Bu dosya çok büyük: sınır { $max } MB
file-mismatch = Bu dosyanın içeriği adıyla uyuşmuyor
file-disguised = Bu dosyanın içinde başka içerik gizlenmiş, bu nedenle gönderilemez
file-not-allowed = Bu türdeki dosyalar ({ $type }) bu sohbette kabul edilmiyor

## File types, as named in file-not-allowed
file-type-images = Görseller
file-type-documents = Belgeler
file-type-archives = Arşivler
file-type-executables = Yürütülebilir dosyalar
file-type-scripts = Komut dosyaları
file-type-other = Diğer dosyalar
