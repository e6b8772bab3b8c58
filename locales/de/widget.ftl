# The chat widget's texts in German, as the visitor sees them (reference:
# locales/en/widget.ftl; every language has exactly the same message ids).
# Placeables: { $name } an agent's name, { $case } the chat's name,
# { $max } a size in MB, { $type } a file type, { $count } a number.

## The frame and the launcher
frame-title = Chat · { $case }
chat-label = Chat
greeting = Wir antworten in der Regel innerhalb weniger Minuten
open-chat = Chat öffnen
close-chat = Chat schließen
minimise = Chat minimieren
dismiss = Schließen
attach = Datei senden
message-label = Nachricht
placeholder = Nachricht schreiben…
send = Senden
log-label = Nachrichten

## Lines in the conversation
agent-joined = { $name } ist dem Chat beigetreten
ended = Das Gespräch wurde beendet. Schreiben Sie uns erneut, um ein neues zu beginnen.
sent-a-file = (hat eine Datei gesendet)
shield-warning = Bitte achten Sie auf einen respektvollen Umgangston. Nachrichten mit beleidigenden Ausdrücken werden unserem Team nicht angezeigt.

## Screen sharing
share-asks = { $name } möchte Ihren Bildschirm sehen.
share-yes = Meinen Bildschirm teilen
share-no = Nein, danke
share-accepted = Sie haben zugestimmt, Ihren Bildschirm zu teilen.
share-declined = Sie haben abgelehnt, Ihren Bildschirm zu teilen.
share-bar = Sie teilen Ihren Bildschirm
share-stop = Beenden
share-ended = Die Bildschirmfreigabe wurde beendet.
share-failed = Ihr Bildschirm wurde nicht geteilt.
share-unsupported = Dieser Browser kann den Bildschirm nicht teilen.

## The survey
survey-question = Wie war dieser Chat?
survey-stars = { $count ->
    [one] { $count } Stern
   *[other] { $count } Sterne
}
survey-comment = Möchten Sie noch etwas hinzufügen? (optional)
survey-send = Feedback senden
survey-thanks = Vielen Dank für Ihr Feedback!

## Errors
error-generic = Etwas ist schiefgelaufen. Bitte versuchen Sie es erneut.
error-unavailable = Dieser Chat ist nicht verfügbar.
error-not-found = Nicht gefunden.
error-no-visitor = Der Chat konnte diesen Browser nicht erkennen. Bitte erlauben Sie Cookies für diese Website und laden Sie die Seite neu.
error-reload = Bitte laden Sie die Seite neu und versuchen Sie es erneut.
error-starting = Der Chat wird gestartet. Bitte versuchen Sie es gleich noch einmal.
error-slow-down = Bitte warten Sie einen Moment, bevor Sie weitere Nachrichten senden.
error-message-empty = Bitte geben Sie zuerst eine Nachricht ein.
error-message-long = Eine Nachricht darf höchstens 4000 Zeichen lang sein.
error-closed = Dieses Gespräch wurde beendet.
error-rating = Bitte wählen Sie eine Bewertung von 1 bis 5.
error-comment-long = Ein Kommentar darf höchstens 2000 Zeichen lang sein.
error-no-survey = Es gibt keine offene Umfrage.
error-survey-answered = Die Umfrage wurde bereits beantwortet. Vielen Dank!
error-no-share = Es gibt keine offene Anfrage zur Bildschirmfreigabe.
error-upload-unreadable = Die hochgeladene Datei konnte nicht gelesen werden. Bitte versuchen Sie es erneut.
error-choose-file = Bitte wählen Sie eine Datei zum Senden aus.

## File refusals
file-not-sent = { $file } wurde nicht gesendet. { $reason }.
file-empty = Diese Datei ist leer
file-too-large = Diese Datei ist zu groß: Die Obergrenze liegt bei { $max } MB
file-mismatch = Der Inhalt dieser Datei passt nicht zu ihrem Namen
file-disguised = In dieser Datei sind andere Inhalte versteckt, daher kann sie nicht gesendet werden
file-not-allowed = Dateien dieses Typs ({ $type }) werden in diesem Chat nicht angenommen

## File types, as named in file-not-allowed
file-type-images = Bilder
file-type-documents = Dokumente
file-type-archives = Archive
file-type-executables = Ausführbare Dateien
file-type-scripts = Skripte
file-type-other = Sonstige Dateien
