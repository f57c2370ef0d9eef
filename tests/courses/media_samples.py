"""Small valid media files made in memory for the course tests."""

from __future__ import annotations

import io
import wave


def wav_bytes(frames: int = 400) -> bytes:
    """A valid mono 8 kHz WAV file of ``frames`` silent samples."""
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        out.writeframes(b"\x00\x00" * frames)
    return buffer.getvalue()
