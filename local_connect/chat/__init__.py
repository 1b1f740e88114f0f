"""Chat against the local engine: a customer's web chat through the stage's flows and Lambdas.

- `session`: one chat contact's life in Connect (`ChatContact`), the engine that runs its flows
  (`LocalChatEngine`), and a whole local stage for the terminal's `ccaas chat` (`ChatSession`).
- The web chat widget, `ccaas chat --web`: `server.LocalChatServer` serves the same widget page
  the CloudFront site serves, the start-chat API through the real chat_start handler, and
  `participant.ParticipantService`: a stand-in for Amazon Connect's participant service (HTTP +
  WebSocket, shaped by botocore's `connectparticipant` model and the WebSocket protocol
  amazon-connect-chatjs speaks), so the unmodified widget exchanges messages with the chat flow
  running in the local engine (`flow_peer`).
"""
