# The chat widget's texts in Japanese, as the visitor sees them (reference:
# locales/en/widget.ftl; every language has exactly the same message ids).
# Placeables: { $name } an agent's name, { $case } the chat's name,
# { $max } a size in MB, { $type } a file type, { $count } a number.

## The frame and the launcher
frame-title = チャット · { $case }
chat-label = チャット
greeting = 通常、数分以内に返信いたします
open-chat = チャットを開く
close-chat = チャットを閉じる
minimise = チャットを最小化
dismiss = 閉じる
attach = ファイルを送信
message-label = メッセージ
placeholder = メッセージを入力…
send = 送信
log-label = メッセージ

## Lines in the conversation
agent-joined = { $name }がチャットに参加しました
ended = 会話は終了しました。新しい会話を始めるには、もう一度メッセージをお送りください。
sent-a-file = (ファイルを送信しました)
shield-warning = 節度あるやり取りにご協力ください。不適切な表現を含むメッセージは、スタッフには表示されません。

## Screen sharing
share-asks = { $name }が画面の共有をリクエストしています。
share-yes = 画面を共有する
share-no = 共有しない
share-accepted = 画面の共有に同意しました。
share-declined = 画面の共有を断りました。
share-bar = 画面を共有しています
share-stop = 停止
share-ended = 画面の共有が終了しました。
share-failed = 画面は共有されませんでした。
share-unsupported = このブラウザーでは画面を共有できません。

## The survey
survey-question = 今回のチャットはいかがでしたか？
survey-stars = { $count ->
   *[other] 星{ $count }つ
}
survey-comment = ほかにご意見があればお聞かせください（任意）
survey-send = フィードバックを送信
survey-thanks = フィードバックをお寄せいただき、ありがとうございます！

## Errors
error-generic = 問題が発生しました。もう一度お試しください。
error-unavailable = このチャットは現在ご利用いただけません。
error-not-found = 見つかりませんでした。
error-no-visitor = このブラウザーを認識できませんでした。このサイトのCookieを許可してから、ページを再読み込みしてください。
error-reload = ページを再読み込みして、もう一度お試しください。
error-starting = チャットを起動しています。しばらくしてからもう一度お試しください。
error-slow-down = 続けて送信する前に、少しお待ちください。
error-message-empty = 先にメッセージを入力してください。
error-message-long = メッセージは4,000文字以内で入力してください。
error-closed = この会話は終了しました。
error-rating = 1～5の評価を選択してください。
error-comment-long = コメントは2,000文字以内で入力してください。
error-no-survey = 回答できるアンケートはありません。
error-survey-answered = アンケートには回答済みです。ありがとうございました！
error-no-share = 回答が必要な画面共有のリクエストはありません。
error-upload-unreadable = アップロードしたファイルを読み込めませんでした。もう一度お試しください。
error-choose-file = 送信するファイルを選択してください。

## File refusals
file-not-sent = { $file }は送信されませんでした。{ $reason }。
file-empty = このファイルは空です
file-too-large = このファイルはサイズが大きすぎます（上限：{ $max }MB）
file-mismatch = このファイルの内容がファイル名と一致しません
file-disguised = このファイルには別のデータが隠されているため、送信できません
file-not-allowed = この種類のファイル（{ $type }）は、このチャットでは送信できません

## File types, as named in file-not-allowed
file-type-images = 画像
file-type-documents = ドキュメント
file-type-archives = アーカイブ
file-type-executables = 実行ファイル
file-type-scripts = スクリプト
file-type-other = その他のファイル
