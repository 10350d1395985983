// Resumable, chunked evidence upload with a progress bar per file.
// Each file: POST the collection record to start a session, then POST chunks with a
// Content-Range header. After a network error the script asks the server where to
// continue (GET on the session) and resumes from there. Nothing goes to browser storage.
"use strict";

(function () {
  const form = document.getElementById("evidence-upload");
  if (!form) return;
  const list = document.getElementById("evidence-progress");
  const chunkSize = parseInt(form.dataset.chunkSize, 10);
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const openUploads = JSON.parse(document.getElementById("open-uploads").textContent);
  const msg = form.dataset;

  function row(file) {
    const li = document.createElement("li");
    const name = document.createElement("span");
    name.className = "name";
    // Direction controls (U+202E and kin) could make "x\u202Egpj.exe" read as "xexe.jpg".
    name.textContent = file.name.replace(/[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g, "\uFFFD");
    const bar = document.createElement("progress");
    bar.max = file.size;
    bar.value = 0;
    const state = document.createElement("span");
    state.className = "state";
    state.textContent = msg.msgWaiting;
    li.append(name, bar, state);
    list.append(li);
    return { li, bar, state };
  }

  function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  // A proxy that gave up waiting (502-504) is not the server saying no: try again.
  const GATEWAY = [502, 503, 504];

  async function json(response) {
    const data = await response.json().catch(() => ({}));
    if (!response.ok && response.status !== 409) {
      const fatal = !GATEWAY.includes(response.status);
      throw Object.assign(new Error(data.error || response.statusText), { fatal });
    }
    return data;
  }

  async function request(url, options) {
    const headers = Object.assign({ "X-CSRFToken": csrf }, options.headers || {});
    return fetch(url, Object.assign({ credentials: "same-origin" }, options, { headers }));
  }

  async function start(file) {
    const body = new FormData(form);
    body.delete("files");
    body.set("name", file.name);
    body.set("size", String(file.size));
    body.set("modified", String(file.lastModified || ""));
    const data = await json(await request(form.action, { method: "POST", body }));
    return data.upload;
  }

  // Joining and hashing a large file takes a while (about 5 s per GiB). If the answer is
  // lost, the server still finishes: ask it, and only send "finish" again if it has not.
  async function finish(urls) {
    for (let failures = 1; ; failures += 1) {
      try {
        return await json(await request(urls.finish, { method: "POST" }));
      } catch (error) {
        if (error.fatal || failures > 10) throw Object.assign(error, { fatal: true });
      }
      for (let wait = 0; wait < 6; wait += 1) {
        await sleep(Math.min(30000, 1000 * 2 ** Math.min(failures + wait, 5)));
        const status = await request(urls.chunk, { method: "GET" }).then(json).catch(() => null);
        if (status && status.item) return status;
      }
    }
  }

  async function sendFile(file, ui) {
    const previous = openUploads.find(
      (u) => u.name === file.name && u.size === file.size && u.modified === file.lastModified
    );
    let urls;
    let offset = 0;
    if (previous) {
      urls = { chunk: previous.chunk, finish: previous.finish };
      offset = previous.received;
      ui.state.textContent = msg.msgResumed;
    } else {
      urls = await start(file);
    }
    let failures = 0;
    while (offset < file.size) {
      const end = Math.min(offset + chunkSize, file.size);
      ui.state.textContent = msg.msgSending;
      try {
        const response = await request(urls.chunk, {
          method: "POST",
          headers: {
            "Content-Type": "application/octet-stream",
            "Content-Range": `bytes ${offset}-${end - 1}/${file.size}`,
          },
          body: file.slice(offset, end),
        });
        const data = await json(response);
        offset = data.offset;
        failures = 0;
      } catch (error) {
        if (error.fatal) throw error;
        failures += 1;
        ui.state.textContent = msg.msgRetry;
        await sleep(Math.min(30000, 1000 * 2 ** Math.min(failures, 5)));
        // Ask the server where it stands: the chunk may have arrived before the drop.
        const status = await request(urls.chunk, { method: "GET" }).then(json).catch(() => null);
        if (status) offset = status.offset;
      }
      ui.bar.value = offset;
    }
    ui.state.textContent = msg.msgSealing;
    const done = await finish(urls);
    if (done.error) throw Object.assign(new Error(done.error), { fatal: true });
    ui.state.textContent = `${msg.msgDone} · SHA-256 ${done.sha256.slice(0, 16)}…`;
    ui.state.classList.add("done");
    const space = document.getElementById("evidence-space");
    if (space && done.space) space.textContent = done.space;
    if (done.duplicate_of) {
      const same = document.createElement("a");
      same.href = done.duplicate_of;
      same.className = "duplicate";
      same.textContent = msg.msgDuplicate;
      ui.state.append(" · ", same);
    }
    const link = document.createElement("a");
    link.href = done.item;
    link.textContent = ui.li.querySelector(".name").textContent;
    ui.li.querySelector(".name").replaceChildren(link);
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const files = Array.from(form.querySelector("input[type=file]").files);
    if (!files.length) return;
    list.replaceChildren();
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    for (const file of files) {
      const ui = row(file);
      try {
        await sendFile(file, ui);
      } catch (error) {
        ui.state.textContent = `${msg.msgFailed}: ${error.message}`;
        ui.state.classList.add("failed");
      }
    }
    button.disabled = false;
  });
})();
