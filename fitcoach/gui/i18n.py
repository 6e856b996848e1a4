"""UI strings in English and Korean (a missing Korean string falls back to English visibly in tests)."""

KO = {
    "Open clip or recording…": "영상 또는 기록 열기…", "Stop": "정지", "Exercise": "운동",
    "Open a clip, a landmark recording or the camera to start": "시작하려면 영상, 기록 또는 카메라를 여세요",
    "Range of motion": "가동 범위", "Reps {n}": "{n}회", "partial": "부분", "Phase: {p}": "단계: {p}",
    "target": "목표", "Last rep score {s}": "마지막 반복 점수 {s}", "Nobody in view": "사람이 보이지 않아요",
    "Step back so your whole body is visible": "온몸이 보이도록 뒤로 물러나 주세요", "Done": "완료",
    "top": "위", "down": "내려가기", "bottom": "바닥", "up": "올라오기", "rest": "휴식", "hold": "유지",
    "Workout": "운동하기", "Today": "오늘", "FitCoach": "핏코치", "History": "기록", "Settings": "설정",
    "Profile": "프로필", "Plan my next session": "다음 운동 계획 세우기", "Start the first exercise": "첫 운동 시작",
    "No history yet for this profile: start with any exercise in Workout.":
        "이 프로필의 기록이 아직 없어요. 운동하기에서 아무 운동이나 시작해 보세요.",
    "Next session": "다음 운동", "Show": "보기", "date": "날짜", "exercise": "운동", "reps": "반복",
    "ROM": "가동 범위", "score": "점수", "session": "세션", "tempo_accuracy": "템포 정확도",
    "silent": "끄기", "counts": "숫자만", "full": "전체 코칭", "Save": "저장", "Saved": "저장했어요",
    "Language": "언어", "Voice": "음성 코칭", "Speech rate (words/min)": "말하기 속도 (분당 단어)", "Mute": "음소거",
    "Pose model": "자세 인식 모델", "Data folder": "데이터 폴더", "Programs": "프로그램",
    "Add exercise": "운동 추가", "Save to profile": "프로필에 저장", "Import file…": "파일 가져오기…",
    "Export file…": "파일 내보내기…", "Progress report…": "진행 보고서…", "FHIR export…": "FHIR 내보내기…",
    "Program name": "프로그램 이름", "Sessions per week": "주당 횟수", "Notes": "메모", "Valid": "올바른 프로그램이에요",
    "Saved as version {v}": "버전 {v}(으)로 저장했어요", "Loaded {p}": "{p} 불러옴", "program": "프로그램",
    "id": "운동", "sets": "세트", "hold_s": "유지(초)", "tempo": "템포", "rest_s": "휴식(초)",
    "safe_min": "안전 최소", "safe_max": "안전 최대", "Assessment": "평가",
    "Front photo…": "정면 사진…", "Side photo…": "측면 사진…", "Assess posture": "자세 평가",
    "ROM test from a clip…": "영상으로 가동 범위 검사…", "left": "왼쪽", "right": "오른쪽", "Posture": "자세",
    "Front: face the camera, whole body in view, arms relaxed. Side: stand side-on, ear, shoulder, hip and ankle visible.":
        "정면: 카메라를 보고 온몸이 보이게, 팔은 편하게. 측면: 옆으로 서서 귀, 어깨, 엉덩이, 발목이 보이게.",
    "Measuring…": "측정 중…",
}


def tr(text: str, lang: str) -> str:
    return KO.get(text, text) if lang == "ko" else text
