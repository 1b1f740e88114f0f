"""The web chat widget against the local engine: `ccaas chat --web`.

`server.LocalChatServer` serves the same widget page the CloudFront site serves, the start-chat
API through the real chat_start handler, and `participant.ParticipantService`: a stand-in for
Amazon Connect's participant service (HTTP + WebSocket, shaped by botocore's
`connectparticipant` model and the WebSocket protocol amazon-connect-chatjs speaks), so the
unmodified widget exchanges messages with the chat flow running in the local engine.
"""
