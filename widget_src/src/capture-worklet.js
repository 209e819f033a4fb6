/**
 * The microphone's capture for the embedded voice call, an AudioWorklet module built
 * into its own file (static/aurion-capture-worklet.js) and loaded by voice-socket.js
 * from the Aurion host, beside aurion.js, so a page's CSP that allows the widget's
 * script allows this too. It replaces the deprecated ScriptProcessorNode: it runs on
 * the audio rendering thread and posts the microphone's samples to the page in
 * batches of `BATCH` (32 ms at 16 kHz), each a Float32Array whose buffer is transferred.
 */
const BATCH = 512;

class AurionCapture extends AudioWorkletProcessor {
  constructor() {
    super();
    this.batch = new Float32Array(BATCH);
    this.filled = 0;
  }

  process(inputs) {
    const samples = inputs[0][0];
    // No input yet (the track has not started): keep the node alive.
    if (!samples) return true;
    for (let i = 0; i < samples.length; i++) {
      this.batch[this.filled++] = samples[i];
      if (this.filled === BATCH) {
        this.port.postMessage(this.batch, [this.batch.buffer]);
        this.batch = new Float32Array(BATCH);
        this.filled = 0;
      }
    }
    return true;
  }
}

registerProcessor("aurion-capture", AurionCapture);
