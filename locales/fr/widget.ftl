# The chat widget's texts in French, as the visitor sees them (reference:
# locales/en/widget.ftl; every language has exactly the same message ids).
# Placeables: { $name } an agent's name, { $case } the chat's name,
# { $max } a size in MB, { $type } a file type, { $count } a number.

## The frame and the launcher
frame-title = Chat · { $case }
chat-label = Chat
greeting = Nous répondons généralement en quelques minutes
open-chat = Ouvrir le chat
close-chat = Fermer le chat
minimise = Réduire le chat
dismiss = Fermer
attach = Envoyer un fichier
message-label = Message
placeholder = Écrivez un message…
send = Envoyer
log-label = Messages

## Lines in the conversation
agent-joined = { $name } a rejoint le chat
ended = La conversation est terminée. Écrivez-nous à nouveau pour en commencer une nouvelle.
sent-a-file = (a envoyé un fichier)
shield-warning = Merci de rester courtois. Les messages contenant des propos injurieux ne sont pas affichés à notre équipe.

## Screen sharing
share-asks = { $name } demande à voir votre écran.
share-yes = Partager mon écran
share-no = Non merci
share-accepted = Vous avez accepté de partager votre écran.
share-declined = Vous avez refusé de partager votre écran.
share-bar = Vous partagez votre écran
share-stop = Arrêter
share-ended = Le partage d’écran est terminé.
share-failed = Votre écran n’a pas été partagé.
share-unsupported = Ce navigateur ne peut pas partager l’écran.

## The survey
survey-question = Comment s’est passée cette conversation ?
survey-stars = { $count ->
    [one] { $count } étoile
   *[other] { $count } étoiles
}
survey-comment = Quelque chose à ajouter ? (facultatif)
survey-send = Envoyer mon avis
survey-thanks = Merci pour votre avis !

## Errors
error-generic = Un problème est survenu. Veuillez réessayer.
error-unavailable = Ce chat n’est pas disponible.
error-not-found = Introuvable.
error-no-visitor = Le chat n’a pas pu reconnaître ce navigateur. Veuillez autoriser les cookies pour ce site, puis recharger la page.
error-reload = Veuillez recharger la page et réessayer.
error-starting = Le chat est en cours de démarrage. Veuillez réessayer dans un instant.
error-slow-down = Veuillez patienter un instant avant d’envoyer d’autres messages.
error-message-empty = Veuillez d’abord saisir un message.
error-message-long = Un message ne peut pas dépasser 4 000 caractères.
error-closed = Cette conversation est terminée.
error-rating = Veuillez choisir une note de 1 à 5.
error-comment-long = Un commentaire ne peut pas dépasser 2 000 caractères.
error-no-survey = Il n’y a aucun questionnaire à remplir.
error-survey-answered = Vous avez déjà répondu au questionnaire. Merci !
error-no-share = Il n’y a aucune demande de partage d’écran en attente.
error-upload-unreadable = Le fichier envoyé n’a pas pu être lu. Veuillez réessayer.
error-choose-file = Veuillez choisir un fichier à envoyer.

## File refusals
file-not-sent = Le fichier { $file } n’a pas été envoyé. { $reason }.
file-empty = Ce fichier est vide
file-too-large = Ce fichier est trop volumineux : la limite est de { $max } Mo
file-mismatch = Le contenu de ce fichier ne correspond pas à son nom
file-disguised = Ce fichier dissimule un autre contenu et ne peut donc pas être envoyé
file-not-allowed = Les fichiers de ce type ({ $type }) ne sont pas acceptés dans ce chat

## File types, as named in file-not-allowed
file-type-images = Images
file-type-documents = Documents
file-type-archives = Archives
file-type-executables = Fichiers exécutables
file-type-scripts = Scripts
file-type-other = Autres fichiers
