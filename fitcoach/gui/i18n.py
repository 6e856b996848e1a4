"""UI strings in English and Korean (a missing Korean string falls back to English visibly in tests)."""

KO = {
    "Open clip or recording…": "영상 또는 기록 열기…", "Stop": "정지", "Exercise": "운동",
    "Open a clip, a landmark recording or the camera to start": "시작하려면 영상, 기록 또는 카메라를 여세요",
    "Range of motion": "가동 범위", "Reps {n}": "{n}회", "partial": "부분", "Phase: {p}": "단계: {p}",
    "target": "목표", "Last rep score {s}": "마지막 반복 점수 {s}", "Nobody in view": "사람이 보이지 않아요",
    "Step back so your whole body is visible": "온몸이 보이도록 뒤로 물러나 주세요", "Done": "완료",
    "top": "위", "down": "내려가기", "bottom": "바닥", "up": "올라오기", "rest": "휴식", "hold": "유지",
    "Workout": "운동하기", "Today": "오늘", "FitCoach": "핏코치",
}


def tr(text: str, lang: str) -> str:
    return KO.get(text, text) if lang == "ko" else text
