/*
 * The chat widget: a pre-chat form posted to our start-chat API, then amazon-connect-chatjs
 * joins the chat with the participant token the API returns (no AWS credentials in the page).
 *
 * config.json (written beside this file at deploy, or by `ccaas chat --web` locally):
 *   { "apiUrl": "https://.../v1", "organisation": "...", "topics": [{intent, label}],
 *     "participantEndpoint": "http://127.0.0.1:PORT" (local engine only) }
 */
(function () {
  "use strict";

  const EVENT = "application/vnd.amazonaws.connect.event.";
  const EVENT_TEXT = {
    "participant.joined": (item) => `${item.DisplayName || "Someone"} joined the chat`,
    "participant.left": (item) => `${item.DisplayName || "Someone"} left the chat`,
    "transfer.succeeded": () => "You have been transferred",
    "transfer.failed": () => "The transfer did not go through",
    "chat.ended": () => "The chat has ended",
  };
  const $ = (id) => document.getElementById(id);
  let session = null;
  let organisation = "us";
  const seen = new Set();

  async function loadConfig() {
    const response = await fetch("config.json", { cache: "no-store" });
    if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
    return response.json();
  }

  function showForm(config) {
    organisation = config.organisation || organisation;
    document.querySelectorAll("[data-organisation]").forEach((el) => {
      el.textContent = config.organisation || "us";
    });
    const select = $("topic");
    const placeholder = new Option("Choose a topic", "");
    placeholder.disabled = true;
    placeholder.selected = true;
    select.append(placeholder);
    for (const topic of config.topics || []) select.append(new Option(topic.label, topic.intent));
    $("prechat").hidden = false;
    $("prechat").addEventListener("submit", (event) => {
      event.preventDefault();
      startChat(config);
    });
  }

  function clearErrors() {
    document.querySelectorAll("[data-error-for]").forEach((el) => (el.textContent = ""));
    document.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
    $("form-error").textContent = "";
  }

  function fieldError(field, problem) {
    const slot = document.querySelector(`[data-error-for="${field}"]`);
    const input = $(field);
    if (slot && input) {
      slot.textContent = problem;
      input.setAttribute("aria-invalid", "true");
    } else {
      $("form-error").textContent = problem;
    }
  }

  function formValues() {
    const values = {
      name: $("name").value.trim(),
      email: $("email").value.trim(),
      phone: $("phone").value.trim(),
      topic: $("topic").value,
      clientToken: crypto.randomUUID(),
    };
    for (const key of ["email", "phone"]) if (!values[key]) delete values[key];
    return values;
  }

  function checkLocally(values) {
    let ok = true;
    if (!values.name) ok = !!fieldError("name", "Please tell us your name.");
    if (!values.topic) ok = !!fieldError("topic", "Please choose a topic.");
    if (values.email && !$("email").checkValidity())
      ok = !!fieldError("email", "That does not look like an email address.");
    return ok;
  }

  async function startChat(config) {
    clearErrors();
    const values = formValues();
    if (!checkLocally(values)) return;
    $("start").disabled = true;
    let answer;
    try {
      const response = await fetch(`${config.apiUrl.replace(/\/$/, "")}/chats`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(values),
      });
      answer = await response.json().catch(() => ({}));
      if (!response.ok) {
        for (const entry of answer.fields || []) fieldError(entry.field, entry.problem);
        if (!answer.fields) $("form-error").textContent = answer.message || "Chat is unavailable right now. Please try again later.";
        $("start").disabled = false;
        return;
      }
    } catch (error) {
      $("form-error").textContent = "We could not reach our chat service. Please try again.";
      $("start").disabled = false;
      return;
    }
    $("prechat").hidden = true;
    $("chat").hidden = false;
    await joinChat(config, answer);
  }

  async function joinChat(config, chat) {
    const globalConfig = {
      region: chat.Region,
      loggerConfig: { useDefaultLogger: true, level: connect.LogLevel.WARN },
    };
    // Only `ccaas chat --web` sets this: the local engine's participant service on 127.0.0.1.
    if (config.participantEndpoint) globalConfig.endpoint = config.participantEndpoint;
    connect.ChatSession.setGlobalConfig(globalConfig);
    session = connect.ChatSession.create({
      chatDetails: {
        ContactId: chat.ContactId,
        ParticipantId: chat.ParticipantId,
        ParticipantToken: chat.ParticipantToken,
      },
      options: { region: chat.Region },
      type: connect.ChatSession.SessionTypes.CUSTOMER,
      disableCSM: true,
    });
    session.onMessage((event) => render(event.data));
    session.onEnded(() => ended());
    session.onConnectionBroken(() => setStatus("Connection lost. Reconnecting…"));
    session.onConnectionEstablished(() => setStatus("Connected"));
    try {
      await session.connect();
    } catch (error) {
      console.warn("chat widget: could not connect", error);
      setStatus("We could not connect you. Please try again later.");
      return;
    }
    setStatus("Connected");
    $("message").disabled = false;
    $("send").disabled = false;
    $("end").disabled = false;
    $("message").focus();
    // Messages the flow sent before our WebSocket subscribed are in the transcript.
    try {
      const transcript = await session.getTranscript({ scanDirection: "BACKWARD", sortOrder: "ASCENDING", maxResults: 30 });
      for (const item of transcript.data.Transcript || []) render(item);
    } catch (error) {
      console.warn("chat widget: transcript unavailable; live messages still arrive", error);
    }
    $("composer").addEventListener("submit", sendMessage);
    $("message").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey) sendMessage(event);
    });
    $("end").addEventListener("click", async () => {
      $("end").disabled = true;
      try { await session.disconnectParticipant(); } catch (error) { /* already ended */ }
      ended();
    });
  }

  async function sendMessage(event) {
    event.preventDefault();
    const text = $("message").value.trim();
    if (!text || !session) return;
    $("message").value = "";
    try {
      await session.sendMessage({ contentType: "text/plain", message: text });
    } catch (error) {
      setStatus("Your message was not sent. Please try again.");
      $("message").value = text;
    }
  }

  function render(item) {
    if (!item || !item.Id || seen.has(item.Id)) return;
    const line = document.createElement("li");
    if (item.Type === "MESSAGE") {
      seen.add(item.Id);
      const role = (item.ParticipantRole || "SYSTEM").toLowerCase();
      line.className = role;
      line.dataset.role = item.ParticipantRole || "SYSTEM";
      if (role !== "customer") {
        const from = document.createElement("span");
        from.className = "from";
        // Flow messages come from Connect's SYSTEM participant ("SYSTEM_MESSAGE").
        from.textContent = role === "agent" ? item.DisplayName || "Agent" : organisation;
        line.append(from);
      }
      const bubble = document.createElement("span");
      bubble.className = "bubble";
      bubble.textContent = item.Content; // text only: never innerHTML from the network
      line.append(bubble);
    } else if (item.Type === "EVENT" && item.ContentType && item.ContentType.startsWith(EVENT)) {
      const describe = EVENT_TEXT[item.ContentType.slice(EVENT.length)];
      if (!describe) return;
      seen.add(item.Id);
      line.className = "event";
      line.dataset.event = item.ContentType.slice(EVENT.length);
      line.textContent = describe(item);
      if (line.dataset.event === "chat.ended") ended();
    } else {
      return;
    }
    $("transcript").append(line);
    line.scrollIntoView({ block: "end" });
  }

  function setStatus(text) {
    $("status").textContent = text;
  }

  function ended() {
    setStatus("The chat has ended. Thank you for contacting us.");
    for (const id of ["message", "send", "end"]) $(id).disabled = true;
  }

  loadConfig().then(showForm, () => {
    $("unavailable").hidden = false;
    $("unavailable").textContent = "Chat is unavailable right now. Please try again later.";
  });
})();
