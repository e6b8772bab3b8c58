# The chat widget's texts in Portuguese (Brazil), as the visitor sees them
# (reference: locales/en/widget.ftl; every language has exactly the same
# message ids).
# Placeables: { $name } an agent's name, { $case } the chat's name,
# { $max } a size in MB, { $type } a file type, { $count } a number.

## The frame and the launcher
frame-title = Chat · { $case }
chat-label = Chat
greeting = Costumamos responder em poucos minutos
open-chat = Abrir chat
close-chat = Fechar chat
minimise = Minimizar chat
dismiss = Fechar
attach = Enviar um arquivo
message-label = Mensagem
placeholder = Digite uma mensagem…
send = Enviar
log-label = Mensagens

## Lines in the conversation
agent-joined = { $name } entrou no chat
ended = A conversa foi encerrada. Escreva novamente para iniciar uma nova.
sent-a-file = (enviou um arquivo)
shield-warning = Por favor, mantenha a conversa respeitosa. Mensagens com linguagem ofensiva não são exibidas para a nossa equipe.

## Screen sharing
share-asks = { $name } está pedindo para ver sua tela.
share-yes = Compartilhar minha tela
share-no = Não, obrigado
share-accepted = Você aceitou compartilhar sua tela.
share-declined = Você recusou compartilhar sua tela.
share-bar = Você está compartilhando sua tela
share-stop = Parar
share-ended = O compartilhamento de tela terminou.
share-failed = Sua tela não foi compartilhada.
share-unsupported = Este navegador não pode compartilhar a tela.

## The survey
survey-question = Como foi este chat?
survey-stars = { $count ->
    [one] { $count } estrela
   *[other] { $count } estrelas
}
survey-comment = Algo a acrescentar? (opcional)
survey-send = Enviar avaliação
survey-thanks = Obrigado pela sua avaliação!

## Errors
error-generic = Algo deu errado. Tente novamente.
error-unavailable = Este chat não está disponível.
error-not-found = Não encontrado.
error-no-visitor = O chat não conseguiu reconhecer este navegador. Permita cookies para este site e recarregue a página.
error-reload = Recarregue a página e tente novamente.
error-starting = O chat está sendo iniciado. Tente novamente em instantes.
error-slow-down = Aguarde um momento antes de enviar mais mensagens.
error-message-empty = Digite uma mensagem primeiro.
error-message-long = Uma mensagem pode ter no máximo 4.000 caracteres.
error-closed = Esta conversa foi encerrada.
error-rating = Escolha uma nota de 1 a 5.
error-comment-long = Um comentário pode ter no máximo 2.000 caracteres.
error-no-survey = Não há nenhuma pesquisa para responder.
error-survey-answered = A pesquisa já foi respondida. Obrigado!
error-no-share = Não há nenhuma solicitação de compartilhamento de tela para responder.
error-upload-unreadable = Não foi possível ler o arquivo enviado. Tente novamente.
error-choose-file = Escolha um arquivo para enviar.

## File refusals
file-not-sent = O arquivo { $file } não foi enviado. { $reason }.
file-empty = Este arquivo está vazio
file-too-large = Este arquivo é grande demais: o limite é de { $max } MB
file-mismatch = O conteúdo deste arquivo não corresponde ao nome dele
file-disguised = Este arquivo esconde outro conteúdo dentro dele, por isso não pode ser enviado
file-not-allowed = Arquivos deste tipo ({ $type }) não são aceitos neste chat

## File types, as named in file-not-allowed
file-type-images = Imagens
file-type-documents = Documentos
file-type-archives = Arquivos compactados
file-type-executables = Executáveis
file-type-scripts = Scripts
file-type-other = Outros arquivos
