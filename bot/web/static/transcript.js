// The watch page's transcript: a line seeks the video to it, the line being said is marked as
// the video plays, and the search box keeps only the lines that match, with the matches marked.
// Served from /static (the page's Content-Security-Policy allows only our own scripts). Words
// from the meeting are only ever set as text, never as HTML.
(function () {
  "use strict";
  var video = document.getElementById("player");
  var panel = document.getElementById("transcript");
  if (!video || !panel) {
    return;
  }
  var lines = Array.prototype.slice.call(panel.querySelectorAll("a.line"));
  var turns = Array.prototype.slice.call(panel.querySelectorAll("li.turn"));
  var starts = lines.map(function (line) { return parseFloat(line.getAttribute("data-start")); });
  var texts = lines.map(function (line) { return line.textContent; });
  var box = document.getElementById("transcript-search");
  var count = document.getElementById("transcript-count");
  var current = -1;

  function seek(seconds) {
    video.currentTime = seconds;
    var playing = video.play();
    if (playing && playing.catch) {
      playing.catch(function () {});  // the browser may want a click first; the seek stands
    }
  }

  panel.addEventListener("click", function (event) {
    var link = event.target.closest("a.line, a.at");
    if (!link) {
      return;
    }
    event.preventDefault();
    seek(parseFloat(link.getAttribute("data-start")));
  });

  // The last line that started at or before `time` (lines are in order of time).
  function lineAt(time) {
    var low = 0, high = starts.length - 1, found = -1;
    while (low <= high) {
      var middle = (low + high) >> 1;
      if (starts[middle] <= time) {
        found = middle;
        low = middle + 1;
      } else {
        high = middle - 1;
      }
    }
    return found;
  }

  video.addEventListener("timeupdate", function () {
    var index = lineAt(video.currentTime);
    if (index === current) {
      return;
    }
    if (current >= 0) {
      lines[current].classList.remove("now");
    }
    current = index;
    if (current >= 0) {
      lines[current].classList.add("now");
      if (!box.value) {
        lines[current].scrollIntoView({block: "nearest"});
      }
    }
  });

  // Show `text` in `line`, each occurrence of `needle` (lower case) in a <mark>.
  function mark(line, text, needle) {
    while (line.firstChild) {
      line.removeChild(line.firstChild);
    }
    var lower = text.toLowerCase(), at = 0;
    if (needle) {
      for (var found = lower.indexOf(needle); found >= 0; found = lower.indexOf(needle, at)) {
        line.appendChild(document.createTextNode(text.slice(at, found)));
        var hit = document.createElement("mark");
        hit.textContent = text.slice(found, found + needle.length);
        line.appendChild(hit);
        at = found + needle.length;
      }
    }
    line.appendChild(document.createTextNode(text.slice(at)));
  }

  function filter() {
    var needle = box.value.trim().toLowerCase();
    var matching = 0;
    lines.forEach(function (line, index) {
      var matches = !needle || texts[index].toLowerCase().indexOf(needle) >= 0;
      line.hidden = !matches;
      mark(line, texts[index], matches ? needle : "");
      matching += matches ? 1 : 0;
    });
    turns.forEach(function (turn) {
      turn.hidden = !turn.querySelector("a.line:not([hidden])");
    });
    count.hidden = !needle;
    count.textContent = matching === 1 ? "1 line matches" : matching + " lines match";
  }

  box.addEventListener("input", filter);
})();
