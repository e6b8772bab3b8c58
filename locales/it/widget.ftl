# The chat widget's texts in Italian, as the visitor sees them (reference:
# locales/en/widget.ftl; every language has exactly the same message ids).
# Placeables: { $name } an agent's name, { $case } the chat's name,
# { $max } a size in MB, { $type } a file type, { $count } a number.

## The frame and the launcher
frame-title = Chat · { $case }
chat-label = Chat
greeting = Di solito rispondiamo in pochi minuti
open-chat = Apri la chat
close-chat = Chiudi la chat
minimise = Riduci la chat
dismiss = Chiudi
attach = Invia un file
message-label = Messaggio
placeholder = Scriva un messaggio…
send = Invia
log-label = Messaggi

## Lines in the conversation
agent-joined = { $name } ha raggiunto la chat
ended = La conversazione è terminata. Per iniziarne una nuova, basta scriverci di nuovo.
sent-a-file = (ha inviato un file)
shield-warning = La preghiamo di mantenere un tono rispettoso. I messaggi con linguaggio offensivo non vengono mostrati al nostro team.

## Screen sharing
share-asks = { $name } chiede di vedere il suo schermo.
share-yes = Condividi il mio schermo
share-no = No, grazie
share-accepted = Ha accettato di condividere il suo schermo.
share-declined = Ha rifiutato di condividere il suo schermo.
share-bar = Sta condividendo il suo schermo
share-stop = Interrompi
share-ended = La condivisione dello schermo è terminata.
share-failed = Il suo schermo non è stato condiviso.
share-unsupported = Questo browser non può condividere lo schermo.

## The survey
survey-question = Com’è andata questa chat?
survey-stars = { $count ->
    [one] { $count } stella
   *[other] { $count } stelle
}
survey-comment = Desidera aggiungere qualcosa? (facoltativo)
survey-send = Invia feedback
survey-thanks = Grazie per il suo feedback!

## Errors
error-generic = Si è verificato un problema. La preghiamo di riprovare.
error-unavailable = Questa chat non è disponibile.
error-not-found = Non trovato.
error-no-visitor = La chat non è riuscita a riconoscere questo browser. Consenta i cookie per questo sito e ricarichi la pagina.
error-reload = Ricarichi la pagina e riprovi.
error-starting = La chat si sta avviando. Riprovi tra qualche istante.
error-slow-down = Attenda un momento prima di inviare altri messaggi.
error-message-empty = Scriva prima un messaggio.
error-message-long = Un messaggio può contenere al massimo 4000 caratteri.
error-closed = Questa conversazione è terminata.
error-rating = Scelga una valutazione da 1 a 5.
error-comment-long = Un commento può contenere al massimo 2000 caratteri.
error-no-survey = Non c’è nessun sondaggio a cui rispondere.
error-survey-answered = Il sondaggio è già stato compilato. Grazie!
error-no-share = Non c’è nessuna richiesta di condivisione dello schermo a cui rispondere.
error-upload-unreadable = Non è stato possibile leggere il file caricato. La preghiamo di riprovare.
error-choose-file = Scelga un file da inviare.

## File refusals
file-not-sent = Il file { $file } non è stato inviato. { $reason }.
file-empty = Questo file è vuoto
file-too-large = Questo file è troppo grande: il limite è di { $max } MB
file-mismatch = Il contenuto di questo file non corrisponde al suo nome
file-disguised = Questo file nasconde al suo interno altri contenuti, quindi non può essere inviato
file-not-allowed = I file di questo tipo ({ $type }) non sono accettati in questa chat

## File types, as named in file-not-allowed
file-type-images = Immagini
file-type-documents = Documenti
file-type-archives = Archivi
file-type-executables = Eseguibili
file-type-scripts = Script
file-type-other = Altri file
