# The chat widget's texts in Spanish, as the visitor sees them (reference:
# locales/en/widget.ftl; every language has exactly the same message ids).
# Placeables: { $name } an agent's name, { $case } the chat's name,
# { $max } a size in MB, { $type } a file type, { $count } a number.

## The frame and the launcher
frame-title = Chat · { $case }
chat-label = Chat
greeting = Solemos responder en pocos minutos
open-chat = Abrir el chat
close-chat = Cerrar el chat
minimise = Minimizar el chat
dismiss = Cerrar
attach = Enviar un archivo
message-label = Mensaje
placeholder = Escriba un mensaje…
send = Enviar
log-label = Mensajes

## Lines in the conversation
agent-joined = { $name } se ha unido al chat
ended = La conversación ha finalizado. Escríbanos de nuevo para iniciar una nueva.
sent-a-file = (envió un archivo)
shield-warning = Le rogamos que mantenga un tono respetuoso. Los mensajes con lenguaje ofensivo no se muestran a nuestro equipo.

## Screen sharing
share-asks = { $name } solicita ver su pantalla.
share-yes = Compartir mi pantalla
share-no = No, gracias
share-accepted = Ha aceptado compartir su pantalla.
share-declined = Ha rechazado compartir su pantalla.
share-bar = Está compartiendo su pantalla
share-stop = Detener
share-ended = Se ha dejado de compartir la pantalla.
share-failed = No se ha compartido su pantalla.
share-unsupported = Este navegador no puede compartir la pantalla.

## The survey
survey-question = ¿Cómo valora este chat?
survey-stars = { $count ->
    [one] { $count } estrella
   *[other] { $count } estrellas
}
survey-comment = ¿Desea añadir algo? (opcional)
survey-send = Enviar comentarios
survey-thanks = ¡Gracias por sus comentarios!

## Errors
error-generic = Se ha producido un error. Inténtelo de nuevo.
error-unavailable = Este chat no está disponible.
error-not-found = No se ha encontrado.
error-no-visitor = El chat no ha podido reconocer este navegador. Permita las cookies para este sitio y vuelva a cargar la página.
error-reload = Vuelva a cargar la página e inténtelo de nuevo.
error-starting = El chat se está iniciando. Inténtelo de nuevo en unos instantes.
error-slow-down = Espere un momento antes de enviar más mensajes.
error-message-empty = Escriba primero un mensaje.
error-message-long = Un mensaje puede tener como máximo 4000 caracteres.
error-closed = Esta conversación ha finalizado.
error-rating = Elija una valoración del 1 al 5.
error-comment-long = Un comentario puede tener como máximo 2000 caracteres.
error-no-survey = No hay ninguna encuesta pendiente de respuesta.
error-survey-answered = La encuesta ya se ha respondido. ¡Gracias!
error-no-share = No hay ninguna solicitud de compartir pantalla pendiente de respuesta.
error-upload-unreadable = No se ha podido leer el archivo enviado. Inténtelo de nuevo.
error-choose-file = Elija un archivo para enviar.

## File refusals
file-not-sent = No se ha enviado { $file }. { $reason }.
file-empty = Este archivo está vacío
file-too-large = Este archivo es demasiado grande: el límite es de { $max } MB
file-mismatch = El contenido de este archivo no coincide con su nombre
file-disguised = Este archivo oculta otro contenido en su interior, por lo que no se puede enviar
file-not-allowed = Los archivos de este tipo ({ $type }) no se admiten en este chat

## File types, as named in file-not-allowed
file-type-images = Imágenes
file-type-documents = Documentos
file-type-archives = Archivos comprimidos
file-type-executables = Ejecutables
file-type-scripts = Scripts
file-type-other = Otros archivos
