# The chat widget's texts, as the visitor sees them (English: the reference
# catalogue; every other language has exactly these message ids).
# Placeables: { $name } an agent's name, { $case } the chat's name,
# { $max } a size in MB, { $type } a file type, { $count } a number.

## The frame and the launcher
frame-title = Chat · { $case }
chat-label = Chat
greeting = We usually answer within minutes
open-chat = Open chat
close-chat = Close chat
minimise = Minimise chat
dismiss = Dismiss
attach = Send a file
message-label = Message
placeholder = Write a message…
send = Send
log-label = Messages

## Lines in the conversation
agent-joined = { $name } joined the chat
ended = The conversation has ended. Write again to start a new one.
sent-a-file = (sent a file)
shield-warning = Please keep the conversation respectful. Messages with offensive language are hidden from our team.

## Screen sharing
share-asks = { $name } asks to see your screen.
share-yes = Share my screen
share-no = No, thanks
share-accepted = You agreed to share your screen.
share-declined = You declined to share your screen.
share-bar = You are sharing your screen
share-stop = Stop
share-ended = Screen sharing has ended.
share-failed = Your screen was not shared.
share-unsupported = This browser cannot share its screen.

## The survey
survey-question = How was this chat?
survey-stars = { $count ->
    [one] { $count } star
   *[other] { $count } stars
}
survey-comment = Anything to add? (optional)
survey-send = Send feedback
survey-thanks = Thank you for your feedback!

## Errors
error-generic = Something went wrong. Please try again.
error-unavailable = This chat is not available.
error-not-found = Not found.
error-no-visitor = The chat could not recognise this browser. Please allow cookies for this site and reload the page.
error-reload = Please reload the page and try again.
error-starting = The chat is starting. Please try again in a moment.
error-slow-down = Please wait a moment before sending more.
error-message-empty = Type a message first.
error-message-long = A message can be at most 4000 characters.
error-closed = This conversation has ended.
error-rating = Choose a rating from 1 to 5.
error-comment-long = A comment can be at most 2000 characters.
error-no-survey = There is no survey to answer.
error-survey-answered = The survey has already been answered. Thank you!
error-no-share = There is no screen-share request to answer.
error-upload-unreadable = The upload could not be read. Please try again.
error-choose-file = Choose a file to send.

## File refusals
file-not-sent = { $file } was not sent. { $reason }.
file-empty = This file is empty
file-too-large = This file is too large: the limit is { $max } MB
file-mismatch = This file's content does not match its name
file-disguised = This file hides other content inside it, so it cannot be sent
file-not-allowed = Files of this type ({ $type }) are not accepted in this chat

## File types, as named in file-not-allowed
file-type-images = Images
file-type-documents = Documents
file-type-archives = Archives
file-type-executables = Executables
file-type-scripts = Scripts
file-type-other = Other files
