"""chat-start: the web chat widget's backend (pre-chat form -> profile -> StartChatContact)."""
