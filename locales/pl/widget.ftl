# The chat widget's texts in Polish, as the visitor sees them (reference:
# locales/en/widget.ftl; every language has exactly the same message ids).
# Placeables: { $name } an agent's name, { $case } the chat's name,
# { $max } a size in MB, { $type } a file type, { $count } a number.

## The frame and the launcher
frame-title = Czat · { $case }
chat-label = Czat
greeting = Zwykle odpowiadamy w ciągu kilku minut
open-chat = Otwórz czat
close-chat = Zamknij czat
minimise = Zminimalizuj czat
dismiss = Zamknij
attach = Wyślij plik
message-label = Wiadomość
placeholder = Napisz wiadomość…
send = Wyślij
log-label = Wiadomości

## Lines in the conversation
agent-joined = { $name } dołącza do czatu
ended = Rozmowa została zakończona. Aby rozpocząć nową, wystarczy napisać ponownie.
sent-a-file = (wysłano plik)
shield-warning = Prosimy o zachowanie kultury rozmowy. Wiadomości zawierające obraźliwe słowa są ukrywane przed naszym zespołem.

## Screen sharing
share-asks = { $name } prosi o udostępnienie ekranu.
share-yes = Udostępnij mój ekran
share-no = Nie, dziękuję
share-accepted = Wyrażono zgodę na udostępnienie ekranu.
share-declined = Odmówiono udostępnienia ekranu.
share-bar = Ekran jest udostępniany
share-stop = Zatrzymaj
share-ended = Udostępnianie ekranu zostało zakończone.
share-failed = Ekran nie został udostępniony.
share-unsupported = Ta przeglądarka nie może udostępnić ekranu.

## The survey
survey-question = Jak oceniają Państwo tę rozmowę?
survey-stars = { $count ->
    [one] { $count } gwiazdka
    [few] { $count } gwiazdki
    [many] { $count } gwiazdek
   *[other] { $count } gwiazdki
}
survey-comment = Dodatkowe uwagi (opcjonalnie)
survey-send = Wyślij opinię
survey-thanks = Dziękujemy za opinię!

## Errors
error-generic = Coś poszło nie tak. Prosimy spróbować ponownie.
error-unavailable = Ten czat jest niedostępny.
error-not-found = Nie znaleziono.
error-no-visitor = Czat nie rozpoznał tej przeglądarki. Prosimy zezwolić na pliki cookie dla tej witryny i odświeżyć stronę.
error-reload = Prosimy odświeżyć stronę i spróbować ponownie.
error-starting = Czat jest uruchamiany. Prosimy spróbować ponownie za chwilę.
error-slow-down = Prosimy chwilę poczekać przed wysłaniem kolejnych wiadomości.
error-message-empty = Prosimy najpierw wpisać wiadomość.
error-message-long = Wiadomość może mieć maksymalnie 4000 znaków.
error-closed = Ta rozmowa została zakończona.
error-rating = Prosimy wybrać ocenę od 1 do 5.
error-comment-long = Komentarz może mieć maksymalnie 2000 znaków.
error-no-survey = Brak ankiety do wypełnienia.
error-survey-answered = Ankieta została już wypełniona. Dziękujemy!
error-no-share = Brak prośby o udostępnienie ekranu, na którą można odpowiedzieć.
error-upload-unreadable = Nie udało się odczytać przesłanego pliku. Prosimy spróbować ponownie.
error-choose-file = Prosimy wybrać plik do wysłania.

## File refusals
file-not-sent = Nie wysłano pliku { $file }. { $reason }.
file-empty = Ten plik jest pusty
file-too-large = Ten plik jest za duży: limit wynosi { $max } MB
file-mismatch = Zawartość tego pliku nie pasuje do jego nazwy
file-disguised = Ten plik ukrywa w sobie inną zawartość, dlatego nie można go wysłać
file-not-allowed = Pliki tego typu ({ $type }) nie są akceptowane na tym czacie

## File types, as named in file-not-allowed
file-type-images = Obrazy
file-type-documents = Dokumenty
file-type-archives = Archiwa
file-type-executables = Pliki wykonywalne
file-type-scripts = Skrypty
file-type-other = Inne pliki
