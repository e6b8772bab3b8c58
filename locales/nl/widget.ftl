# The chat widget's texts in Dutch, as the visitor sees them (reference:
# locales/en/widget.ftl; every language has exactly the same message ids).
# Placeables: { $name } an agent's name, { $case } the chat's name,
# { $max } a size in MB, { $type } a file type, { $count } a number.

## The frame and the launcher
frame-title = Chat · { $case }
chat-label = Chat
greeting = We reageren meestal binnen een paar minuten
open-chat = Chat openen
close-chat = Chat sluiten
minimise = Chat minimaliseren
dismiss = Sluiten
attach = Bestand versturen
message-label = Bericht
placeholder = Typ een bericht…
send = Versturen
log-label = Berichten

## Lines in the conversation
agent-joined = { $name } neemt deel aan de chat
ended = Het gesprek is beëindigd. Stuur ons een nieuw bericht om een nieuw gesprek te starten.
sent-a-file = (heeft een bestand gestuurd)
shield-warning = Houd het gesprek alsjeblieft respectvol. Berichten met beledigend taalgebruik worden niet aan ons team getoond.

## Screen sharing
share-asks = { $name } wil graag je scherm zien.
share-yes = Mijn scherm delen
share-no = Nee, bedankt
share-accepted = Je hebt toestemming gegeven om je scherm te delen.
share-declined = Je hebt geweigerd om je scherm te delen.
share-bar = Je deelt je scherm
share-stop = Stoppen
share-ended = Het delen van je scherm is gestopt.
share-failed = Je scherm is niet gedeeld.
share-unsupported = Deze browser kan het scherm niet delen.

## The survey
survey-question = Hoe was deze chat?
survey-stars = { $count ->
    [one] { $count } ster
   *[other] { $count } sterren
}
survey-comment = Wil je nog iets toevoegen? (optioneel)
survey-send = Feedback versturen
survey-thanks = Bedankt voor je feedback!

## Errors
error-generic = Er is iets misgegaan. Probeer het opnieuw.
error-unavailable = Deze chat is niet beschikbaar.
error-not-found = Niet gevonden.
error-no-visitor = De chat kon deze browser niet herkennen. Sta cookies toe voor deze website en laad de pagina opnieuw.
error-reload = Laad de pagina opnieuw en probeer het nog eens.
error-starting = De chat wordt gestart. Probeer het zo nog eens.
error-slow-down = Wacht even voordat je meer berichten verstuurt.
error-message-empty = Typ eerst een bericht.
error-message-long = Een bericht mag maximaal 4000 tekens bevatten.
error-closed = Dit gesprek is beëindigd.
error-rating = Kies een beoordeling van 1 tot en met 5.
error-comment-long = Een opmerking mag maximaal 2000 tekens bevatten.
error-no-survey = Er is geen enquête om in te vullen.
error-survey-answered = De enquête is al ingevuld. Bedankt!
error-no-share = Er is geen verzoek om je scherm te delen.
error-upload-unreadable = Het geüploade bestand kon niet worden gelezen. Probeer het opnieuw.
error-choose-file = Kies een bestand om te versturen.

## File refusals
file-not-sent = { $file } is niet verstuurd. { $reason }.
file-empty = Dit bestand is leeg
file-too-large = Dit bestand is te groot: de limiet is { $max } MB
file-mismatch = De inhoud van dit bestand komt niet overeen met de naam
file-disguised = Dit bestand bevat verborgen inhoud en kan daarom niet worden verstuurd
file-not-allowed = Bestanden van dit type ({ $type }) worden niet geaccepteerd in deze chat

## File types, as named in file-not-allowed
file-type-images = Afbeeldingen
file-type-documents = Documenten
file-type-archives = Archieven
file-type-executables = Uitvoerbare bestanden
file-type-scripts = Scripts
file-type-other = Overige bestanden
